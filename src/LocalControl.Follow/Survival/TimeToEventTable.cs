using System.Globalization;
using System.Text;
using LocalControl.Core;

namespace LocalControl.Follow.Survival;

/// <summary>A time-to-event table: one subject per row, with its time, its event flag and optionally a group.</summary>
/// <param name="Times">Time of each subject (event or censoring), ≥ 0.</param>
/// <param name="Events">True = event, false = censored.</param>
/// <param name="Groups">Group label per subject; null when not stratified.</param>
public sealed record TimeToEventTable(IReadOnlyList<double> Times, IReadOnlyList<bool> Events, IReadOnlyList<string>? Groups)
{
    /// <summary>Largest accepted number of data rows.</summary>
    public const int MaxRows = 5_000_000;

    /// <summary>Event values accepted (case-insensitive): 1/true/yes/event/dead are events, 0/false/no/censored/alive are censorings.</summary>
    public static readonly IReadOnlyList<string> EventWords = ["1", "true", "yes", "event", "dead"];

    /// <summary>Censoring values accepted.</summary>
    public static readonly IReadOnlyList<string> CensoredWords = ["0", "false", "no", "censored", "alive"];

    /// <summary>
    /// Reads a comma-separated table (RFC 4180 quoting, first row = column names). Every row needs a number ≥ 0 in
    /// the time column and an event value; empty cells are errors, never defaults.
    /// </summary>
    /// <param name="csv">The CSV text.</param>
    /// <param name="source">File name, for messages.</param>
    /// <param name="timeColumn">Name of the time column.</param>
    /// <param name="eventColumn">Name of the event column.</param>
    /// <param name="groupColumn">Name of the group column, or null.</param>
    /// <exception cref="LocalControlInputException">A column is missing, or a cell is not valid (message names line and column).</exception>
    public static TimeToEventTable ParseCsv(string csv, string source, string timeColumn, string eventColumn, string? groupColumn)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var rows = Csv.Parse(csv, source);
        if (rows.Count == 0)
        {
            throw new LocalControlInputException($"{source}: empty; the first line must name the columns");
        }

        var header = rows[0].Cells;
        int Column(string name, string option)
        {
            var index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
            if (index < 0)
            {
                throw new LocalControlInputException($"{source}: no column '{name}' ({option}); the columns are {string.Join(", ", header.Select(h => $"'{h}'"))}");
            }

            return index;
        }

        var time = Column(timeColumn, "--time");
        var @event = Column(eventColumn, "--event");
        var group = groupColumn is null ? -1 : Column(groupColumn, "--group");
        if (rows.Count - 1 > MaxRows)
        {
            throw new LocalControlInputException($"{source}: {rows.Count - 1} rows; at most {MaxRows} are accepted");
        }

        var times = new double[rows.Count - 1];
        var events = new bool[rows.Count - 1];
        var groups = group < 0 ? null : new string[rows.Count - 1];
        for (var r = 1; r < rows.Count; r++)
        {
            var (line, cells) = rows[r];
            string Cell(int index, string name) =>
                index < cells.Count ? cells[index].Trim() : throw new LocalControlInputException($"{source}: line {line}: {cells.Count} cells, no column '{name}'");

            var t = Cell(time, timeColumn);
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var tv) || !double.IsFinite(tv))
            {
                throw new LocalControlInputException($"{source}: line {line}, column '{timeColumn}': '{t}' is not a number");
            }

            if (tv < 0)
            {
                throw new LocalControlInputException($"{source}: line {line}, column '{timeColumn}': {t} is negative; times are ≥ 0");
            }

            var e = Cell(@event, eventColumn).ToLowerInvariant();
            if (EventWords.Contains(e))
            {
                events[r - 1] = true;
            }
            else if (!CensoredWords.Contains(e))
            {
                throw new LocalControlInputException($"{source}: line {line}, column '{eventColumn}': '{e}' is not an event value (1/0, true/false, yes/no, event/censored, dead/alive)");
            }

            times[r - 1] = tv;
            if (groups is not null)
            {
                var g = Cell(group, groupColumn!);
                groups[r - 1] = g.Length == 0 ? throw new LocalControlInputException($"{source}: line {line}, column '{groupColumn}': empty; every row needs a group") : g;
            }
        }

        if (times.Length == 0)
        {
            throw new LocalControlInputException($"{source}: no data rows under the column names");
        }

        return new TimeToEventTable(times, events, groups);
    }

    /// <summary>Minimal RFC 4180 reader: quoted cells, doubled quotes, CRLF or LF; blank lines skipped.</summary>
    private static class Csv
    {
        public static List<(int Line, List<string> Cells)> Parse(string text, string source)
        {
            var rows = new List<(int, List<string>)>();
            var cells = new List<string>();
            var cell = new StringBuilder();
            var line = 1;
            var rowLine = 1;
            var quoted = false;
            var cellStarted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            line++;
                        }

                        cell.Append(c);
                    }

                    continue;
                }

                switch (c)
                {
                    case '"' when !cellStarted:
                        quoted = true;
                        cellStarted = true;
                        break;
                    case ',':
                        cells.Add(cell.ToString());
                        cell.Clear();
                        cellStarted = false;
                        break;
                    case '\r':
                        break;
                    case '\n':
                        EndRow();
                        line++;
                        rowLine = line;
                        break;
                    default:
                        cell.Append(c);
                        cellStarted = true;
                        break;
                }
            }

            if (quoted)
            {
                throw new LocalControlInputException($"{source}: line {rowLine}: a quoted cell is never closed");
            }

            EndRow();
            return rows;

            void EndRow()
            {
                cells.Add(cell.ToString());
                cell.Clear();
                cellStarted = false;
                if (!(cells.Count == 1 && cells[0].Trim().Length == 0))
                {
                    rows.Add((rowLine, cells));
                }

                cells = [];
            }
        }
    }
}
