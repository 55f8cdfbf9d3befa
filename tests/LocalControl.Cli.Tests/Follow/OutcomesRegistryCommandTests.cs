using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalControl.Core.Cases;
using LocalControl.Registry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Cli.Tests.Follow;

/// <summary>
/// <c>localcontrol outcomes --db</c> on a hand-built registry of nine cases, seven of them one ablated lesion each (all
/// ablated on 2025-01-01). Months are days / 30.4375 to 0.01, worked out by hand: 2025-04-01 = 90 d = 2.96,
/// 2025-07-01 = 181 d = 5.95, 2025-10-01 = 273 d = 8.97, 2026-01-01 = 365 d = 11.99, 2026-03-01 = 424 d = 13.93,
/// 2026-07-01 = 546 d = 17.94.
/// <code>
/// case  tool  organ size margin RAS        LTP                      survival
/// A     rfa   liver  20    6    mutant     LTP at 5.95              dead 2025-10-01 (8.97)
/// B     rfa   lung   35    3    mutant     clear to 11.99           alive 2026-07-01 (17.94)
/// C     rfa   liver  25   12    wild-type  LTP at 8.97              alive 2026-01-01 (11.99)
/// D     rfa   liver  40    4    wild-type  clear to 8.97            dead 2026-01-01 (11.99)
/// E     mwa   liver  15    8    mutant     LTP at 2.96              dead 2025-07-01 (5.95)
/// F     mwa   lung   32   11    wild-type  clear to 17.94           alive 2026-07-01 (17.94)
/// G     mwa   liver  28    2    wild-type  clear to 11.99           alive 2026-03-01 (13.93)
/// H     rfa   liver  22    —    wild-type  zone never assessed      no survival record
/// I     systemic only                                             alive 2026-01-01
/// </code>
/// </summary>
public sealed class OutcomesRegistryCommandTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "lc-outcomes-" + Guid.NewGuid().ToString("N")[..12] + ".db");
    private readonly List<string> _caseFiles = [];

    private static readonly string[] Cases =
    [
        Ablated("A", "rfa", "liver", 20, 6, "mutant", [("2025-02-01", false), ("2025-07-01", true)], """{ "vitalStatus": "dead", "deathDate": "2025-10-01", "lastContactDate": "2025-10-01" }"""),
        Ablated("B", "rfa", "lung", 35, 3, "mutant", [("2025-02-01", false), ("2025-07-01", false), ("2026-01-01", false)], """{ "vitalStatus": "alive", "lastContactDate": "2026-07-01" }"""),
        Ablated("C", "rfa", "liver", 25, 12, "wild-type", [("2025-02-01", false), ("2025-10-01", true)], """{ "vitalStatus": "alive", "lastContactDate": "2026-01-01" }"""),
        Ablated("D", "rfa", "liver", 40, 4, "wild-type", [("2025-02-01", false), ("2025-10-01", false)], """{ "vitalStatus": "dead", "deathDate": "2026-01-01", "lastContactDate": "2026-01-01" }"""),
        Ablated("E", "mwa", "liver", 15, 8, "mutant", [("2025-02-01", false), ("2025-04-01", true)], """{ "vitalStatus": "dead", "deathDate": "2025-07-01", "lastContactDate": "2025-07-01" }"""),
        Ablated("F", "mwa", "lung", 32, 11, "wild-type", [("2025-02-01", false), ("2026-07-01", false)], """{ "vitalStatus": "alive", "lastContactDate": "2026-07-01" }"""),
        Ablated("G", "mwa", "liver", 28, 2, "wild-type", [("2025-02-01", false), ("2026-01-01", false)], """{ "vitalStatus": "alive", "lastContactDate": "2026-03-01" }"""),
        Ablated("H", "rfa", "liver", 22, null, "wild-type", [], null),
        """
        { "caseId": "I", "patient": { "ageYears": 70, "rasStatus": "mutant", "primary": { "site": "rectum" } },
          "lesions": [ { "id": "L1", "organ": "liver", "longestDiameterMm": 50 } ],
          "treatments": [ { "id": "T1", "date": "2025-01-01", "therapy": "systemic", "lesionIds": [], "regimen": "FOLFIRI" } ],
          "survival": { "vitalStatus": "alive", "lastContactDate": "2026-01-01" } }
        """,
    ];

    private static string Ablated(string id, string therapy, string organ, int sizeMm, int? marginMm, string ras, (string Date, bool Ltp)[] studies, string? survival)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""{ "caseId": "{{id}}", "patient": { "ageYears": 60, "rasStatus": "{{ras}}", "primary": { "site": "colon" } },""");
        sb.Append(CultureInfo.InvariantCulture, $$""" "lesions": [ { "id": "L1", "organ": "{{organ}}", "longestDiameterMm": {{sizeMm}} } ],""");
        var margin = marginMm is { } m ? $", \"minimalAblativeMarginMm\": {m}" : "";
        sb.Append(CultureInfo.InvariantCulture, $$""" "treatments": [ { "id": "T1", "date": "2025-01-01", "therapy": "{{therapy}}", "lesionIds": ["L1"], "technicalSuccess": true{{margin}} } ],""");
        sb.Append(" \"followUps\": [");
        sb.AppendJoin(",", studies.Select(s => s.Ltp
            ? $$"""{ "date": "{{s.Date}}", "modality": "ct", "lesions": [ { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": true, "adjacentToZone": true } } ] }"""
            : $$"""{ "date": "{{s.Date}}", "modality": "ct", "lesions": [ { "lesionId": "L1", "status": "present", "ablationZone": { "enhancingTissue": false } } ] }"""));
        sb.Append(']');
        if (survival is not null)
        {
            sb.Append(", \"survival\": ").Append(survival);
        }
        return sb.Append(" }").ToString();
    }

    public async Task InitializeAsync()
    {
        await using var db = Open();
        await db.MigrateRegistryAsync();
        var registry = new CaseRegistry(db, TimeProvider.System);
        foreach (var json in Cases)
        {
            var read = CaseFileReader.Read(json);
            Assert.True(read.IsValid, string.Join("; ", read.Errors.Select(e => $"{e.Path}: {e.Message}")));
            Assert.Equal(WriteOutcome.Done, await registry.CreateAsync(CaseFileContent.From(read.Case!, json), "dr.a"));
            var path = Path.Combine(Path.GetTempPath(), $"lc-outcomes-case-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(path, json);
            _caseFiles.Add(path);
        }
        SqliteConnection.ClearAllPools();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in _caseFiles.Concat([_file, _file + "-wal", _file + "-shm"]))
        {
            File.Delete(f);
        }
        return Task.CompletedTask;
    }

    private SqliteRegistryDbContext Open() => new(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={_file}").Options);

    private static JsonObject Json(params string[] args)
    {
        var (code, output, error) = CliRunner.Run(args);
        Assert.True(code == 0, error);
        return JsonNode.Parse(output)!.AsObject();
    }

    private static JsonObject Group(JsonObject root, string name) =>
        root["groups"]!.AsArray().Single(g => (string?)g!["group"] == name)!.AsObject();

    // The curve's rows with events: (time, atRisk, events, survival, standardError).
    private static (double, int, int, double, double)[] EventRows(JsonObject group) =>
        [.. group["curve"]!.AsArray().Where(r => (int)r!["events"]! > 0).Select(r => (
            (double)r!["time"]!, (int)r["atRisk"]!, (int)r["events"]!, Math.Round((double)r["survival"]!, 6), Math.Round((double)r["standardError"]!, 6)))];

    [Fact]
    public void Ltp_by_tool_equals_the_hand_computed_kaplan_meier_and_log_rank()
    {
        var root = Json("outcomes", "--db", _file, "--endpoint", "ltp", "--by", "tool", "--format", "json");
        Assert.Equal(["mwa", "rfa"], root["groups"]!.AsArray().Select(g => (string?)g!["group"]));
        var rfa = Group(root, "rfa");
        Assert.Equal((4, 2), ((int)rfa["n"]!, (int)rfa["events"]!));
        // rfa: 5.95 event (4 at risk) → 3/4; 8.97 one event and one censored (3 at risk) → 3/4 · 2/3 = 1/2,
        // Greenwood 1/2 · √(1/(4·3) + 1/(3·2)) = 1/2 · √(1/4) = 0.25; 11.99 censored. Median: first S ≤ 0.5 = 8.97.
        Assert.Equal([(5.95, 4, 1, 0.75, Math.Round(0.75 * Math.Sqrt(1.0 / 12), 6)), (8.97, 3, 1, 0.5, 0.25)], EventRows(rfa));
        Assert.Equal(8.97, (double)rfa["medianTime"]!);
        Assert.Equal([5.95, 8.97, 11.99], rfa["curve"]!.AsArray().Select(r => (double)r!["time"]!));
        var mwa = Group(root, "mwa");
        // mwa: 2.96 event (3 at risk) → 2/3, Greenwood 2/3 · √(1/(3·2)) = 0.272166; 11.99, 17.94 censored; median not reached.
        Assert.Equal([(2.96, 3, 1, 0.666667, 0.272166)], EventRows(mwa));
        Assert.Null(mwa["medianTime"]);
        // Log-rank by hand: event times 2.96, 5.95, 8.97 with (rfa, mwa) at risk (4,3), (4,2), (3,2); O_rfa = 2,
        // E_rfa = 4/7 + 4/6 + 3/5 = 1.838095, V = 12/49 + 8/36 + 6/25 = 0.707120; χ² = (2 − E)²/V = 0.0370703, p = 0.847322 (1 df).
        var lr = root["logRank"]!;
        Assert.Equal(0.0370703, Math.Round((double)lr["chiSquare"]!, 7));
        Assert.Equal(1, (int)lr["degreesOfFreedom"]!);
        Assert.Equal(0.847322, Math.Round((double)lr["pValue"]!, 6));
        // H's zone was never assessed: left out and named.
        var excluded = root["excluded"]!.AsArray();
        Assert.Equal("H", (string?)Assert.Single(excluded)!["caseId"]);
        Assert.Equal(["DB2017/rfa-local-control", "P2/control-lt3cm"], root["published"]!.AsArray().Select(p => (string?)p!["reference"]));
        Assert.Equal(("ltp", "tool", "months"), ((string?)root["endpoint"], (string?)root["by"], (string?)root["timeUnit"]));
    }

    [Fact]
    public void Os_by_ras_equals_the_hand_computed_curves_from_the_first_local_treatment()
    {
        var root = Json("outcomes", "--db", _file, "--endpoint", "os", "--by", "ras", "--format", "json");
        Assert.Equal(["mutant", "wild-type"], root["groups"]!.AsArray().Select(g => (string?)g!["group"]));
        // mutant (A, B, E; I has no local treatment): deaths at 5.95 (3 at risk) and 8.97 (2 at risk): 2/3, 1/3;
        // Greenwood at 8.97: 1/3 · √(1/(3·2) + 1/(2·1)) = 0.272166.
        var mutant = Group(root, "mutant");
        Assert.Equal((3, 2), ((int)mutant["n"]!, (int)mutant["events"]!));
        Assert.Equal([(5.95, 3, 1, 0.666667, 0.272166), (8.97, 2, 1, 0.333333, 0.272166)], EventRows(mutant));
        // wild-type (C, D, F, G; H has no survival record): at 11.99 D dies and C is censored, 4 at risk: 3/4,
        // Greenwood 3/4 · √(1/12) = 0.216506; 13.93 and 17.94 censored.
        var wild = Group(root, "wild-type");
        Assert.Equal((4, 1), ((int)wild["n"]!, (int)wild["events"]!));
        Assert.Equal([(11.99, 4, 1, 0.75, 0.216506)], EventRows(wild));
        Assert.Equal(["H", "I"], root["excluded"]!.AsArray().Select(e => (string?)e!["caseId"]).Order());
        var lungOs = root["published"]!.AsArray().Single(p => (string?)p!["reference"] == "P2/os-5y")!;
        Assert.Equal(("56.0%", 0.56, 60.0), ((string?)lungOs["value"], (double)lungOs["survival"]!, (double)lungOs["months"]!));
        Assert.Contains("de Baere", (string?)lungOs["citation"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tool", "therapy")]
    [InlineData("size", "sizeBand")]
    [InlineData("margin", "marginBand")]
    [InlineData("organ", "organ")]
    [InlineData("ras", "rasStatus")]
    public void Ltp_equals_outcomes_survival_on_the_same_cases_exported_as_csv(string by, string column)
    {
        var (exportCode, csv, exportError) = CliRunner.Run(["export", "csv", .. _caseFiles]);
        Assert.True(exportCode == 0, exportError);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var ltpEvent = Array.IndexOf(header, "ltpEvent");
        // The lesion-ablations with a known LTP status: the statistician's filter of the table.
        var kept = lines.Skip(1).Where(l => l.Split(',')[ltpEvent].Length > 0).ToList();
        Assert.Equal(7, kept.Count);
        using var table = new CliRunner.TempFile(string.Join("\r\n", [lines[0], .. kept]) + "\r\n", ".csv");
        var fromCsv = Json("outcomes", "survival", "--csv", table.Path, "--time", "ltpMonths", "--event", "ltpEvent", "--group", column, "--format", "json");
        var fromDb = Json("outcomes", "--db", _file, "--endpoint", "ltp", "--by", by, "--format", "json");
        Assert.True(JsonNode.DeepEquals(fromCsv["groups"], fromDb["groups"]), $"{fromCsv["groups"]}\n---\n{fromDb["groups"]}");
        Assert.True(JsonNode.DeepEquals(fromCsv["logRank"], fromDb["logRank"]));
    }

    [Fact]
    public void Text_lists_the_published_figures_and_png_draws_the_curves()
    {
        var (code, text, error) = CliRunner.Run("outcomes", "--db", _file, "--endpoint", "os", "--by", "tool");
        Assert.True(code == 0, error);
        Assert.Contains("56.0%", text, StringComparison.Ordinal);
        Assert.Contains("group rfa: n = 4", text, StringComparison.Ordinal);
        var png = Path.Combine(Path.GetTempPath(), $"lc-cohort-{Guid.NewGuid():N}.png");
        try
        {
            (code, _, error) = CliRunner.Run("outcomes", "--db", _file, "--endpoint", "os", "--by", "tool", "--format", "png", "-o", png);
            Assert.True(code == 0, error);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
            if (Environment.GetEnvironmentVariable("LOCALCONTROL_KEEP_PNG") is { Length: > 0 } keep)
            {
                File.Copy(png, keep, overwrite: true);
            }
        }
        finally
        {
            File.Delete(png);
        }
    }

    [Theory]
    [InlineData("--endpoint", "pfs", "--endpoint: 'pfs' is not an end point; use ltp or os.")]
    [InlineData("--by", "age", "--by: 'age' is not a grouping; use tool, size, margin, organ or ras.")]
    public void An_unknown_endpoint_or_grouping_exits_2_naming_the_option(string option, string value, string message)
    {
        string[] args = ["outcomes", "--db", _file, "--endpoint", "ltp", "--by", "tool"];
        args[Array.IndexOf(args, option) + 1] = value;
        var (code, output, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_cohort_or_a_missing_registry_exits_2_with_a_message()
    {
        var only = Path.Combine(Path.GetTempPath(), "lc-outcomes-empty-" + Guid.NewGuid().ToString("N")[..12] + ".db");
        try
        {
            await using (var db = new SqliteRegistryDbContext(new DbContextOptionsBuilder<SqliteRegistryDbContext>().UseSqlite($"Data Source={only}").Options))
            {
                await db.MigrateRegistryAsync();
                var read = CaseFileReader.Read(Cases[^1]); // I: systemic therapy only
                await new CaseRegistry(db, TimeProvider.System).CreateAsync(CaseFileContent.From(read.Case!, Cases[^1]), "dr.a");
            }
            SqliteConnection.ClearAllPools();
            var (code, _, error) = CliRunner.Run("outcomes", "--db", only, "--endpoint", "ltp", "--by", "tool");
            Assert.Equal(2, code);
            Assert.Contains("the cohort is empty: 1 case(s), no ablated lesions with a known local-tumour-progression status", error, StringComparison.Ordinal);
            (code, _, error) = CliRunner.Run("outcomes", "--db", only, "--endpoint", "os", "--by", "ras");
            Assert.Equal(2, code);
            Assert.Contains("no patients with a local treatment and a survival record", error, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(only);
        }

        var missing = Path.Combine(Path.GetTempPath(), "lc-no-such-registry.db");
        var (c2, _, e2) = CliRunner.Run("outcomes", "--db", missing, "--endpoint", "ltp", "--by", "tool");
        Assert.Equal(2, c2);
        Assert.Contains("no such registry file", e2, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));

        using var notRegistry = new CliRunner.TempFile("these are not the pages of a SQLite database", ".db");
        var (c3, _, e3) = CliRunner.Run("outcomes", "--db", notRegistry.Path, "--endpoint", "os", "--by", "tool");
        Assert.Equal(2, c3);
        Assert.Contains("cannot read the registry: SQLite Error 26: 'file is not a database'", e3, StringComparison.Ordinal);
        var (c4, _, e4) = CliRunner.Run("outcomes", "--db", "Hst=1;;==", "--provider", "postgres", "--endpoint", "os", "--by", "tool");
        Assert.Equal(2, c4);
        Assert.Contains("--db: not a PostgreSQL connection string", e4, StringComparison.Ordinal);
    }
}
