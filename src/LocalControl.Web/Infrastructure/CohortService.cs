using LocalControl.Core.Cases;
using LocalControl.Follow.Survival;
using LocalControl.Registry;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Infrastructure;

/// <summary>A cohort view and the registry it was computed from.</summary>
/// <param name="View">Curves, log-rank, published figures.</param>
/// <param name="Cases">Cases in the registry.</param>
/// <param name="Unreadable">Cases whose stored file does not pass this version's reader (left out, listed).</param>
public sealed record CohortSnapshot(CohortView View, int Cases, IReadOnlyList<CohortExclusion> Unreadable)
{
    private byte[]? _png;
    private string? _svg;

    /// <summary>The PNG, drawn on first use and kept while the registry does not change.</summary>
    public byte[] Png => _png ??= View.Png();

    /// <summary>The SVG, likewise.</summary>
    public string Svg => _svg ??= View.Svg();
}

/// <summary>
/// The cohort page's data. It reads the <b>case files</b>, not the <c>treatments</c>/<c>follow_up_lesions</c> tables:
/// the end points need what those rows do not hold (the lesion's organ and size, the patient's RAS, the survival
/// record) and the response engine's rules run on the case model, so the figures are exactly those of
/// <c>localcontrol follow</c> and <c>outcomes --db</c>. To stay fast, each case file is parsed once per version:
/// a request reads only (id, version) of every case (one narrow query), loads and parses the files that are new or
/// changed since the last request, and reuses the curves while nothing changed.
/// </summary>
public sealed class CohortService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<long, Parsed> _cases = [];
    private readonly Dictionary<(CohortEndpoint, CohortGrouping), (ulong Stamp, CohortSnapshot Snapshot)> _views = [];

    // One stored file as parsed at a version, with its part of each cohort (end point x grouping) once computed: an
    // edit re-parses one file and recomputes that file's parts only; the rest are joined as they are.
    private sealed record Parsed(int Version, string CaseId, MetastaticCase? Case, string? Error)
    {
        public CohortOutcome?[] Parts { get; } = new CohortOutcome?[PartSlots];
    }

    private const int PartSlots = 2 * 5; // CohortEndpoint x CohortGrouping

    private static int Slot(CohortEndpoint endpoint, CohortGrouping by) => ((int)endpoint * 5) + (int)by;

    /// <summary>Per-case cohort parts computed so far (for tests: an edit recomputes only the edited case's part).</summary>
    public long PartsComputed { get; private set; }

    /// <summary>Parses done so far (for tests: a second request with nothing changed parses nothing).</summary>
    public long ParsedCount { get; private set; }

    /// <summary>
    /// Parses every stored case file and computes the default view (LTP by tool) in the background after start-up, so
    /// that the first visitor of the cohort page does not wait for the parse (≈ 0.8 s per 25,000 cases on 2 cores).
    /// A failure (the database going away while the app stops) is logged and left to the first request.
    /// </summary>
    public Task WarmAsync(IServiceProvider services, ILogger logger, CancellationToken ct) => Task.Run(async () =>
    {
        try
        {
            await using var scope = services.CreateAsyncScope();
            await GetAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>(), CohortEndpoint.Ltp, CohortGrouping.Tool, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.CohortWarmUpFailed(e.GetType().Name);
        }
    }, ct);

    /// <summary>The cohort for <paramref name="endpoint"/> by <paramref name="by"/> as the registry is now.</summary>
    public async Task<CohortSnapshot> GetAsync(RegistryDbContext db, CohortEndpoint endpoint, CohortGrouping by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var current = await db.Cases.AsNoTracking().Select(c => new { c.Id, c.Version }).ToListAsync(ct).ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var stamp = 14695981039346656037UL;
            var stale = new List<long>();
            var next = new Dictionary<long, Parsed>(current.Count);
            foreach (var c in current.OrderBy(c => c.Id))
            {
                stamp = (stamp ^ (ulong)c.Id) * 1099511628211UL;
                stamp = (stamp ^ (ulong)(uint)c.Version) * 1099511628211UL;
                if (_cases.TryGetValue(c.Id, out var p) && p.Version == c.Version)
                {
                    next[c.Id] = p;
                }
                else
                {
                    stale.Add(c.Id);
                }
            }
            for (var i = 0; i < stale.Count; i += 500)
            {
                var chunk = stale.GetRange(i, Math.Min(500, stale.Count - i));
                var rows = await db.Cases.AsNoTracking().Where(c => chunk.Contains(c.Id))
                    .Select(c => new { c.Id, c.CaseId, c.Version, c.CaseFileJson }).ToListAsync(ct).ConfigureAwait(false);
                // Parse in parallel: the reader is pure and the only per-case cost worth having on several cores.
                var parsed = new Parsed[rows.Count];
                Parallel.For(0, rows.Count, new ParallelOptions { CancellationToken = ct }, k =>
                {
                    var r = rows[k];
                    var read = CaseFileReader.Read(r.CaseFileJson);
                    parsed[k] = read.IsValid && read.Case is { } mc
                        ? new Parsed(r.Version, r.CaseId, mc, null)
                        : new Parsed(r.Version, r.CaseId, null, read.Errors.FirstOrDefault()?.ToString() ?? "not readable");
                });
                for (var k = 0; k < rows.Count; k++)
                {
                    next[rows[k].Id] = parsed[k];
                }
                ParsedCount += rows.Count;
            }
            _cases = next;
            if (_views.TryGetValue((endpoint, by), out var cached) && cached.Stamp == stamp)
            {
                return cached.Snapshot;
            }
            var ordered = next.OrderBy(p => p.Value.CaseId, StringComparer.Ordinal).Select(p => p.Value).ToList();
            var readable = ordered.Where(p => p.Case is not null).ToArray();
            var slot = Slot(endpoint, by);
            var missing = readable.Where(p => p.Parts[slot] is null).ToArray();
            // The response engine's rules per case: pure, so in parallel; each writes only its own case's slot.
            Parallel.For(0, missing.Length, new ParallelOptions { CancellationToken = ct }, k =>
                missing[k].Parts[slot] = CohortOutcomes.Build([missing[k].Case!], endpoint, by));
            PartsComputed += missing.Length;
            var view = CohortView.Compute(CohortOutcomes.Join(endpoint, by, [.. readable.Select(p => p.Parts[slot]!)]));
            var unreadable = ordered.Where(p => p.Case is null)
                .Select(p => new CohortExclusion(p.CaseId, null, $"case file not valid under this version's rules: {p.Error}")).ToList();
            var snapshot = new CohortSnapshot(view, ordered.Count, unreadable);
            _views[(endpoint, by)] = (stamp, snapshot);
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }
}
