using System.CommandLine;
using LocalControl.Core.Cases;
using LocalControl.Follow.Survival;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol outcomes survival --csv FILE --time COL --event COL [--group COL] [--format text|json|png] [-o FILE]</c>:
/// Kaplan–Meier curves with Greenwood 95 % bands, median and log-rank test for any time-to-event table; and
/// <c>localcontrol outcomes --db CONNECTION --endpoint ltp|os --by tool|size|margin|organ|ras</c>: the same for the
/// registry's cohort, with the published figures beside the curves (docs/follow.md).
/// </summary>
internal static class OutcomesCommand
{
    public static Command Create(CliContext context)
    {
        var db = new Option<string?>("--db")
        {
            Description = "The registry: a SQLite file (opened read-only), or with --provider postgres a PostgreSQL connection string.",
        };
        var provider = new Option<string>("--provider") { Description = "sqlite (default) or postgres.", DefaultValueFactory = _ => "sqlite" };
        provider.AcceptOnlyFromAmong("sqlite", "postgres");
        var endpoint = new Option<string?>("--endpoint") { Description = "ltp (local-tumour-progression-free survival per ablated lesion) or os (overall survival per patient)." };
        var by = new Option<string?>("--by") { Description = "Strata: tool, size (< 30 / ≥ 30 mm), margin (< 5, 5–10, ≥ 10 mm), organ or ras." };
        var format = CommonOptions.Format("text", "text", "json", "png");
        var output = CommonOptions.Output();
        var command = new Command("outcomes", "Outcome statistics: the registry's survival and local-control curves (--db), or any time-to-event table (survival).")
        {
            db, provider, endpoint, by, format, output,
        };
        command.Subcommands.Add(Survival(context));
        command.SetAction(parse => RegistryOutcomesAsync(context, parse.GetValue(db), parse.GetValue(provider)!, parse.GetValue(endpoint),
            parse.GetValue(by), parse.GetValue(format)!, parse.GetValue(output)).GetAwaiter().GetResult());
        return command;
    }

    /// <summary>
    /// <c>localcontrol outcomes --db CONNECTION --endpoint ltp|os --by tool|size|margin|organ|ras [--format text|json|png] [-o FILE]</c>:
    /// the cohort of every case in the registry, by the response engine's rules (<see cref="CohortOutcomes"/>), with the
    /// published figures of the evidence base beside the curves.
    /// </summary>
    private static async Task<int> RegistryOutcomesAsync(CliContext context, string? connection, string provider, string? endpointName, string? byName, string fmt, string? outputPath)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new UserInputException("give the registry with --db (a SQLite file, or a PostgreSQL connection string with --provider postgres), or use 'outcomes survival --csv FILE'.");
        }
        if (endpointName is null || !CohortOutcomes.TryParseEndpoint(endpointName, out var endpoint))
        {
            throw new UserInputException($"--endpoint: {(endpointName is null ? "missing" : $"'{endpointName}' is not an end point")}; use ltp or os.");
        }
        if (byName is null || !CohortOutcomes.TryParseGrouping(byName, out var by))
        {
            throw new UserInputException($"--by: {(byName is null ? "missing" : $"'{byName}' is not a grouping")}; use tool, size, margin, organ or ras.");
        }
        if (fmt == "png" && string.IsNullOrEmpty(outputPath))
        {
            throw new UserInputException("--format png writes an image: give the file with -o FILE.png");
        }

        if (provider == "postgres")
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(connection);
            }
            catch (ArgumentException e)
            {
                throw new UserInputException($"--db: not a PostgreSQL connection string (Host=…;Database=…;Username=…): {e.Message}", e);
            }
        }

        List<(string CaseId, string Json)> stored;
        try
        {
            await using var db = provider == "postgres" ? DbCommand.Open("postgres", null, connection) : DbCommand.Open("sqlite", connection, null);
            stored = (await db.Cases.AsNoTracking().OrderBy(c => c.CaseId).Select(c => new { c.CaseId, c.CaseFileJson }).ToListAsync().ConfigureAwait(false))
                .Select(c => (c.CaseId, c.CaseFileJson)).ToList();
        }
        catch (Exception e) when (DatabaseFailure(e) is { } cause)
        {
            // An unreachable server, a refused login, a file that is not a registry.
            throw new UserInputException($"cannot read the registry: {cause.Message}", e);
        }

        var cases = new List<MetastaticCase>(stored.Count);
        var unreadable = new List<CohortExclusion>();
        foreach (var (caseId, json) in stored)
        {
            var read = CaseFileReader.Read(json);
            if (read.Case is { } c && read.IsValid)
            {
                cases.Add(c);
            }
            else
            {
                var first = read.Errors.FirstOrDefault();
                unreadable.Add(new(caseId, null, $"case file not valid under this version's rules: {first?.Path} {first?.Message}".Trim()));
            }
        }

        var cohort = CohortOutcomes.Build(cases, endpoint, by);
        cohort = cohort with { Excluded = [.. unreadable, .. cohort.Excluded] };
        var what = endpoint == CohortEndpoint.Ltp ? "ablated lesions with a known local-tumour-progression status" : "patients with a local treatment and a survival record";
        if (cohort.Subjects.Count == 0)
        {
            throw new UserInputException($"--db {(provider == "postgres" ? "(PostgreSQL)" : connection)}: the cohort is empty: {stored.Count} case(s), no {what} ({cohort.Excluded.Count} left out).");
        }

        var result = cohort.Analyse();
        var published = CohortOutcomes.Published(endpoint);
        switch (fmt)
        {
            case "json":
                context.WriteResult(CohortReport.Json(cohort, result, published, endpointName, byName), outputPath);
                break;
            case "png":
                var timeLabel = endpoint == CohortEndpoint.Ltp ? "Months from ablation" : "Months from first local treatment";
                var title = (endpoint == CohortEndpoint.Ltp ? "Local-tumour-progression-free survival per lesion" : "Overall survival per patient") + $" by {byName}";
                var points = published.Where(p => p.Months is not null).Select(p => new PublishedFigure(p.Months!.Value, p.Survival, p.ShortName)).ToList();
                OutputFiles.WriteBytes(KaplanMeierPlot.Png(result, timeLabel, title, points), outputPath!);
                break;
            default:
                context.WriteResult(CohortReport.Text(cohort, result, published, endpointName, byName), outputPath);
                break;
        }

        return ExitCodes.Success;
    }

    // EF Core wraps a failed connection in InvalidOperationException ("transient failure"); the cause is inside.
    private static Exception? DatabaseFailure(Exception e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException => e,
        InvalidOperationException { InnerException: Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException } => e.InnerException,
        _ => null,
    };

    private static Command Survival(CliContext context)
    {
        var csv = new Option<string>("--csv") { Description = "Time-to-event table (CSV with a header row).", Required = true };
        var time = new Option<string>("--time") { Description = "Column with the time to event or censoring (≥ 0, any unit).", Required = true };
        var @event = new Option<string>("--event") { Description = "Column with the event flag: 1/0, true/false, yes/no, event/censored, dead/alive.", Required = true };
        var group = new Option<string?>("--group") { Description = "Column that splits the table into groups (curves per group and the log-rank test)." };
        var ci = new Option<string>("--ci")
        {
            Description = "Confidence-interval transform: log (R survfit default) or log-log (Stata, SAS). Default log.",
            DefaultValueFactory = _ => "log",
        };
        ci.AcceptOnlyFromAmong("log", "log-log");
        var format = CommonOptions.Format("text", "text", "json", "png");
        var output = CommonOptions.Output();
        var command = new Command("survival", "Kaplan–Meier curves (Greenwood 95 % intervals), medians and the log-rank test of a CSV table.")
        {
            csv, time, @event, group, ci, format, output,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(csv)!;
            var fmt = parse.GetValue(format)!;
            var outputPath = parse.GetValue(output);
            if (fmt == "png" && string.IsNullOrEmpty(outputPath))
            {
                throw new UserInputException("--format png writes an image: give the file with -o FILE.png");
            }

            var text = CaseFiles.ReadText(path, "CSV table");
            var table = TimeToEventTable.ParseCsv(text, path, parse.GetValue(time)!, parse.GetValue(@event)!, parse.GetValue(group));
            var transform = parse.GetValue(ci) == "log-log" ? ConfidenceIntervalTransform.LogLog : ConfidenceIntervalTransform.Log;
            var result = SurvivalAnalysis.Run(table.Times, table.Events, table.Groups, transform);
            switch (fmt)
            {
                case "json":
                    context.WriteResult(SurvivalReport.Json(result), outputPath);
                    break;
                case "png":
                    var title = Path.GetFileNameWithoutExtension(path) + (parse.GetValue(group) is { } g ? $" by {g}" : "");
                    OutputFiles.WriteBytes(KaplanMeierPlot.Png(result, parse.GetValue(time)!, title), outputPath!);
                    break;
                default:
                    context.WriteResult(SurvivalReport.Text(result), outputPath);
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
