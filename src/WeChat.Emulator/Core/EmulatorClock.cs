namespace EBranch.WeChat.Emulator.Core;

/// <summary>The emulator's time: the host's <see cref="TimeProvider"/> plus an offset that the control API can move forward.</summary>
public sealed class EmulatorClock(TimeProvider inner)
{
    private long _offsetTicks;

    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public DateTimeOffset Now => inner.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public DateTimeOffset ChinaNow => Now.ToOffset(China);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);

    public static string Rfc3339(DateTimeOffset time) => time.ToOffset(China).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}
