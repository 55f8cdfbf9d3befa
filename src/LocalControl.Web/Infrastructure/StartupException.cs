namespace LocalControl.Web.Infrastructure;

/// <summary>A configuration mistake found at start (bad provider, weak first-admin password): shown as a message, not a stack trace.</summary>
public sealed class StartupException : Exception
{
    /// <summary>Creates it.</summary>
    public StartupException(string message) : base(message)
    {
    }

    /// <summary>Creates it.</summary>
    public StartupException()
    {
    }

    /// <summary>Creates it.</summary>
    public StartupException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
