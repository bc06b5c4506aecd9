using System.Collections.Concurrent;

namespace AspNet.Security.OAuth.EllipsisDrive;

/// <summary>
/// One run of some work per key at a time in this process: a caller that asks while a run for its key is going on gets
/// that run's result instead of starting another. A run never executes on a caller's thread, with a caller's
/// cancellation or in a caller's execution context (it may outlive the request or circuit that started it, and must not
/// keep its async-local state alive: the HttpContext holder, a circuit's services, logging scopes), and removes only its
/// own entry when it ends, so the next caller starts afresh.
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
        mine = new Lazy<Task<T>>(() => Start(key, work, mine!), LazyThreadSafetyMode.ExecutionAndPublication);
        var run = _runs.GetOrAdd(key, mine);
        return (run.Value, !ReferenceEquals(run, mine));
    }

    private Task<T> Start(string key, Func<Task<T>> work, Lazy<Task<T>> entry)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => RunAsync(key, work, entry));
        }
    }

    private async Task<T> RunAsync(string key, Func<Task<T>> work, Lazy<Task<T>> entry)
    {
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
