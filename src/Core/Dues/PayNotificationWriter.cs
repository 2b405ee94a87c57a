using System.Threading.Channels;
using EBranch.Core.Data;
using Microsoft.Extensions.Logging;

namespace EBranch.Core.Dues;

/// <summary>
/// Keeps raw pay notifications in groups: records written while an insert is running go to the database together in the
/// next one, and each caller returns only once its own record is committed (so WeChat is answered only after that). A
/// storm of copies becomes a few multi-row inserts instead of one commit per copy; a lone notification costs what a
/// single insert did. A failed insert fails every caller of its group (WeChat then delivers them again).
/// </summary>
public sealed class PayNotificationWriter(EBranchDbFactory factory, ILogger<PayNotificationWriter> logger) : IAsyncDisposable
{
    private const int MaxGroup = 256;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _loop;

    public Task WriteAsync(PayNotificationRecord record, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PayNotificationWriter));
        }
        return pending.Written.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop;
        }
    }

    private void EnsureRunning()
    {
        if (_loop is not null)
        {
            return;
        }
        lock (_gate)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var group = new List<Pending>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }
            try
            {
                await using var db = factory.CreateForSystem();
                db.PayNotifications.AddRange(group.Select(p => p.Record));
                await db.SaveChangesAsync();
                foreach (var pending in group)
                {
                    pending.Written.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Count} raw pay notification(s) could not be stored; their requests fail and WeChat delivers them again", group.Count);
                foreach (var pending in group)
                {
                    pending.Written.TrySetException(ex);
                }
            }
            group.Clear();
        }
    }

    private sealed record Pending(PayNotificationRecord Record, TaskCompletionSource Written);
}
