using EBranch.Core.Common;

namespace EBranch.Admin.Components.Shared;

/// <summary>
/// The state of a form or modal that calls a service: its field errors (for <c>FormField</c>), a message for the
/// whole form, and whether it is saving. A refused write (400/403/404/409) becomes those messages, never an error page.
/// </summary>
public sealed class FormState
{
    public IReadOnlyDictionary<string, string[]>? Errors { get; private set; }
    public string? Error { get; private set; }
    public bool Saving { get; private set; }

    public void Reset()
    {
        Errors = null;
        Error = null;
    }

    public void Fail(string field, string message) => Errors = new Dictionary<string, string[]> { [field] = [message] };

    /// <summary>Runs the write; true when it succeeded.</summary>
    public async Task<bool> RunAsync(Func<Task> write)
    {
        Reset();
        Saving = true;
        try
        {
            await write();
            return true;
        }
        catch (AppException ex) when (ex.Kind is ErrorKind.Invalid or ErrorKind.Forbidden or ErrorKind.NotFound or ErrorKind.Conflict)
        {
            Errors = ex.Errors;
            Error = ex.Errors is null ? ex.Message : null;
            return false;
        }
        finally
        {
            Saving = false;
        }
    }
}
