using System.Diagnostics;
using System.Globalization;

namespace LocalControl.Cli;

/// <summary>
/// Progress of a long command, on standard error only (standard output stays clean JSON or text). Nothing is shown for
/// a command that finishes within <see cref="DefaultDelay"/>; after that the current step is shown, then every later
/// step. On a terminal one status line is redrawn in place with the elapsed time; otherwise (a pipe, a file, a test)
/// each step is one plain line. <c>LOCALCONTROL_PROGRESS=off</c> silences it; <c>=always</c> shows every step at once.
/// See docs/cli.md.
/// </summary>
internal sealed class Progress : IDisposable
{
    /// <summary>The environment variable that controls progress output.</summary>
    public const string Variable = "LOCALCONTROL_PROGRESS";

    /// <summary>How long a command runs before progress appears.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(2);

    private readonly TextWriter _error;
    private readonly string _command;
    private readonly bool _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly Timer? _timer;
    private string _step = "starting";
    private bool _visible;
    private bool _statusLineOpen;
    private bool _finished;

    /// <summary>Progress with explicit settings (tests; commands use <see cref="Start"/>).</summary>
    internal Progress(TextWriter error, string command, bool enabled, TimeSpan delay, bool terminal)
    {
        _error = error;
        _command = command;
        _terminal = terminal;
        if (!enabled)
        {
            _finished = true;
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            _visible = true;
        }

        // Wakes after the delay (to show the step under way) and then once a second (to redraw a terminal's clock).
        _timer = new Timer(_ => Tick(), null, delay <= TimeSpan.Zero ? TimeSpan.FromSeconds(1) : delay, TimeSpan.FromSeconds(1));
    }

    /// <summary>Starts progress for <paramref name="command"/>, by the rules of <see cref="Variable"/>.</summary>
    public static Progress Start(CliContext context, string command)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mode = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant();
        var enabled = mode is not ("off" or "0" or "false" or "no");
        var delay = mode is "always" ? TimeSpan.Zero : DefaultDelay;
        // A status line redrawn in place only on the real console's standard error when it is a terminal.
        var terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        return new Progress(context.Error, command, enabled, delay, terminal);
    }

    /// <summary>Says what the command is doing now (e.g. "reading CT").</summary>
    public void Step(string what)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _step = what;
            if (_visible)
            {
                Show();
            }
        }
    }

    /// <summary>Ends progress (before the command's own summary lines): a terminal's status line is closed.</summary>
    public void Done()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            if (_visible)
            {
                _step = "done";
                Show();
            }

            Close();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                Close(); // a failure: close the status line so the error message starts on its own line
            }
        }

        _timer?.Dispose();
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            if (!_visible)
            {
                _visible = true;
                Show();
            }
            else if (_terminal)
            {
                Show(); // redraw the clock
            }
        }
    }

    private void Show()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{_command}: {_step} ({_clock.Elapsed.TotalSeconds:0.0} s)");
        if (_terminal)
        {
            _error.Write("\r\u001b[K" + line);
            _statusLineOpen = true;
        }
        else
        {
            _error.WriteLine(line);
        }

        _error.Flush();
    }

    private void Close()
    {
        _finished = true;
        _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        if (_statusLineOpen)
        {
            _error.WriteLine();
            _error.Flush();
            _statusLineOpen = false;
        }
    }
}
