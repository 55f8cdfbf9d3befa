namespace LocalControl.Core;

/// <summary>
/// Input that LocalControl cannot accept (a case file, a rule-set override): the user's mistake, not a bug.
/// Front ends show the message (which names the file and field) and exit with code 2; never a stack trace.
/// </summary>
public class LocalControlInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalControlInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public LocalControlInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public LocalControlInputException()
    {
    }
}
