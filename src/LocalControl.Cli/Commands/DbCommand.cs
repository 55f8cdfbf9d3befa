using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using LocalControl.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Cli.Commands;

/// <summary>
/// <c>localcontrol db verify-audit (--database FILE | --provider postgres --connection STRING) [--expect-head SEQ:HASH] [--format text|json]</c>:
/// recomputes the hash chains of the registry's audit trail and decisions (read-only) and says which row breaks them.
/// Exit 0: both chains hold; 3: a chain is broken (or the expected head is not there); 2: bad arguments or no such registry.
/// </summary>
internal static class DbCommand
{
    /// <summary>Exit code when the audit or decision chain does not verify (docs/cli.md).</summary>
    public const int ChainBroken = 3;

    public static Command Create(CliContext context)
    {
        var command = new Command("db", "Work with the registry database of the web app.");
        var database = new Option<string?>("--database") { Description = "The SQLite registry file (e.g. App_Data/localcontrol.db); opened read-only." };
        var providerOption = new Option<string>("--provider") { Description = "sqlite (default) or postgres.", DefaultValueFactory = _ => "sqlite" };
        providerOption.AcceptOnlyFromAmong("sqlite", "postgres");
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string (with --provider postgres)." };
        var expectHead = new Option<string?>("--expect-head")
        {
            Description = "SEQ:HASH of the audit head recorded earlier (printed by a previous run): refuses a trail whose row SEQ is gone or differs (a truncated tail).",
        };
        var format = CommonOptions.Format("text", "text", "json");
        var verify = new Command("verify-audit", "Recompute the hash chains of the audit trail and the decisions; name every row that breaks them.")
        {
            database, providerOption, connection, expectHead, format,
        };
        verify.SetAction(parse => VerifyAsync(context, parse.GetValue(providerOption)!, parse.GetValue(database), parse.GetValue(connection),
            parse.GetValue(expectHead), parse.GetValue(format)!).GetAwaiter().GetResult());
        command.Subcommands.Add(verify);
        return command;
    }

    private static async Task<int> VerifyAsync(CliContext context, string provider, string? database, string? connection, string? expectHead, string format)
    {
        (long Seq, string Hash)? expected = null;
        if (expectHead is not null)
        {
            var parts = expectHead.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq < 1
                || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigitLower))
            {
                throw new UserInputException("--expect-head must be SEQ:HASH, a chain position and its 64 lower-case hex digits, as printed by verify-audit.");
            }
            expected = (seq, parts[1]);
        }
        await using var db = Open(provider, database, connection);
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync().ConfigureAwait(false)).ToList();
            if (pending.Count > 0)
            {
                throw new UserInputException($"the registry is at an older schema ({pending.Count} migrations pending, first {pending[0]}): start the web app once to migrate it.");
            }
            var reports = await AuditChain.VerifyAsync(db).ConfigureAwait(false);
            var problems = reports.SelectMany(r => r.Problems).ToList();
            string? headProblem = null;
            if (expected is { } head)
            {
                var found = await db.Audit.AsNoTracking().Where(a => a.ChainSeq == head.Seq).Select(a => a.RowHash).FirstOrDefaultAsync().ConfigureAwait(false);
                headProblem = found is null
                    ? $"audit chain position {head.Seq} (the expected head) is missing: rows were removed from the end."
                    : found != head.Hash ? $"audit chain position {head.Seq} has hash {found}, not the expected {head.Hash}." : null;
            }
            if (headProblem is not null)
            {
                problems.Add(headProblem);
            }
            if (format == "json")
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    ok = problems.Count == 0,
                    tables = reports.Select(r => new { table = r.Table, rows = r.Rows, unchainedRows = r.UnchainedRows, headSeq = r.HeadSeq, headHash = r.HeadHash, problems = r.Problems }),
                    expectedHead = headProblem,
                }, JsonOptions));
            }
            else
            {
                foreach (var r in reports)
                {
                    var before = r.UnchainedRows > 0 ? $" ({r.UnchainedRows} written before the chain, covered by its first link)" : "";
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Table}: {r.Rows} rows{before}; {(r.Problems.Count == 0 ? "chain holds" : $"{r.Problems.Count} problem(s)")}; head {r.HeadSeq}:{r.HeadHash}"));
                    foreach (var p in r.Problems)
                    {
                        context.Error.WriteLine("  " + p);
                    }
                }
                if (headProblem is not null)
                {
                    context.Error.WriteLine("  " + headProblem);
                }
                context.Out.WriteLine(problems.Count == 0
                    ? "OK: no row was changed, back-dated, removed or inserted. Keep the audit head above to detect a later truncation (--expect-head)."
                    : "BROKEN: the registry's history was changed outside the application.");
            }
            return problems.Count == 0 ? ExitCodes.Success : ChainBroken;
        }
        catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException)
        {
            throw new UserInputException($"cannot read the registry: {e.Message}", e);
        }
    }

    /// <summary>Opens the registry: a SQLite file read-only, or a PostgreSQL connection string.</summary>
    internal static RegistryDbContext Open(string provider, string? database, string? connection)
    {
        if (provider == "postgres")
        {
            if (string.IsNullOrWhiteSpace(connection) || database is not null)
            {
                throw new UserInputException("--provider postgres needs --connection (and no --database).");
            }
            return new PostgresRegistryDbContext(new DbContextOptionsBuilder<PostgresRegistryDbContext>().UseNpgsql(connection).Options);
        }
        if (string.IsNullOrWhiteSpace(database) || connection is not null)
        {
            throw new UserInputException("give the SQLite registry file with --database (or --provider postgres --connection ...).");
        }
        if (!File.Exists(database))
        {
            throw new UserInputException($"{database}: no such registry file.");
        }
        var builder = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly };
        return new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite(builder.ToString()).Options);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
