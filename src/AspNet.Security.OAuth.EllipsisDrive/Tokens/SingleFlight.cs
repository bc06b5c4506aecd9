using System.Collections.Concurrent;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// One run of some work per key at a time in this process: a caller that asks while a run for its key is going on gets
/// that run's result instead of starting another. A run never executes on a caller's thread or with a caller's
/// cancellation, and removes only its own entry when it ends, so the next caller starts afresh.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _runs = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts <paramref name="work"/> for <paramref name="key"/>, or joins the run already going on for it.
    /// </summary>
    /// <returns>The run, and whether it was joined rather than started.</returns>
    public (Task<T> Run, bool Joined) Join(string key, Func<Task<T>> work)
    {
        Lazy<Task<T>>? mine = null;
        mine = new Lazy<Task<T>>(() => RunAsync(key, work, mine!), LazyThreadSafetyMode.ExecutionAndPublication);
        var run = _runs.GetOrAdd(key, mine);
        return (run.Value, !ReferenceEquals(run, mine));
    }

    private async Task<T> RunAsync(string key, Func<Task<T>> work, Lazy<Task<T>> entry)
    {
        await Task.Yield();
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
        }
    }
}
