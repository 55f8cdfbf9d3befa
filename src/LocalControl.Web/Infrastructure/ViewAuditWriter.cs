using LocalControl.Registry;
using LocalControl.Registry.Entities;

namespace LocalControl.Web.Infrastructure;

/// <summary>Writes the queued "view" audit lines in batches (see <see cref="ViewAuditQueue"/>); drains the queue on shutdown.</summary>
internal sealed class ViewAuditWriter(ViewAuditQueue queue, IServiceScopeFactory scopes, ILogger<ViewAuditWriter> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(512);
        // Runs until the queue is completed (at shutdown) and empty, so nothing queued is dropped by a normal stop.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < 2000 && queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }
            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
            if (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Interval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(List<AuditEntry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await ViewAuditQueue.WriteBatchAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>(), batch).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt < 20 && e is not OutOfMemoryException)
            {
                logger.ViewAuditRetry(batch.Count, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt)).ConfigureAwait(false);
            }
        }
    }
}
