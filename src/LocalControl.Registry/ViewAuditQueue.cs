using System.Threading.Channels;
using LocalControl.Registry.Entities;

namespace LocalControl.Registry;

/// <summary>
/// "Who viewed what" audit lines, written in batches by a background writer instead of one transaction per page view.
/// Every change and decision is still audited synchronously, in the same transaction as the change; only views take
/// this path, because a case page is read far more often than written and a SQLite commit per read serialises all
/// readers behind the disk. A view line reaches the database within the writer's batch interval (about 50 ms);
/// a killed process can lose the views of that last interval, never a change. On shutdown the queue is drained.
/// </summary>
public sealed class ViewAuditQueue
{
    private readonly Channel<AuditEntry> _channel = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>The reading side, for the writer.</summary>
    public ChannelReader<AuditEntry> Reader => _channel.Reader;

    /// <summary>Queues a view line (waits only if 100,000 lines are pending).</summary>
    public ValueTask EnqueueAsync(AuditEntry entry, CancellationToken ct = default) => _channel.Writer.WriteAsync(entry, ct);

    /// <summary>No more lines will come (shutdown).</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Writes a batch of view lines in one transaction; returns how many.</summary>
    public static async Task<int> WriteBatchAsync(RegistryDbContext db, IReadOnlyList<AuditEntry> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return 0;
        }
        db.Audit.AddRange(batch);
        await db.SaveChangesAsync(ct).ConfigureAwait(false); // one implicit transaction for the batch
        db.ChangeTracker.Clear();
        return batch.Count;
    }
}
