using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>Everything the emulator remembers: clients, users, pending requests, codes, tokens, recorded requests and faults.</summary>
internal sealed class EmulatorState
{
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private readonly List<(EmulatorEndpoint Endpoint, EmulatorFault Fault, int Remaining)> _faults = [];
    private readonly Lock _faultsLock = new();
    private const int PruneEvery = 4096;

    private readonly ConcurrentQueue<string> _issuedSecrets = new();
    private long _issuedCount;

    public EmulatorState(EllipsisDriveEmulatorOptions options, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Users = [.. options.Users];
        UsersByName = Users.ToDictionary(u => u.Username, StringComparer.Ordinal);
        UsersById = Users.ToDictionary(u => u.Id, StringComparer.OrdinalIgnoreCase);
        Items = SeedData.CreateItems(Users);
        ItemsById = Items.ToDictionary(i => i.Id, StringComparer.OrdinalIgnoreCase);
    }

    public EllipsisDriveEmulatorOptions Options { get; }

    public ILogger Logger { get; }

    public CancellationTokenSource Stopping { get; } = new();

    public IReadOnlyList<EmulatorUser> Users { get; }

    public IReadOnlyDictionary<string, EmulatorUser> UsersByName { get; }

    public IReadOnlyDictionary<string, EmulatorUser> UsersById { get; }

    public IReadOnlyList<EmulatorItem> Items { get; }

    public IReadOnlyDictionary<string, EmulatorItem> ItemsById { get; }

    public ConcurrentDictionary<string, EmulatorClient> Clients { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, PendingAuthorization> Pending { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, AuthorizationCodeGrant> Codes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, AccessTokenGrant> AccessTokens { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RefreshTokenGrant> RefreshTokens { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> IssuedSecrets => [.. _issuedSecrets];

    public DateTimeOffset Now => Options.TimeProvider.GetUtcNow();

    public string Issue(string secret)
    {
        _issuedSecrets.Enqueue(secret);
        if (Interlocked.Increment(ref _issuedCount) % PruneEvery == 0)
        {
            Prune();
        }

        return secret;
    }

    /// <summary>Forgets expired codes, pending requests and access tokens, so long benchmark runs keep a flat memory profile.</summary>
    private void Prune()
    {
        var now = Now;
        foreach (var (key, pending) in Pending)
        {
            if (now >= pending.ExpiresAt)
            {
                Pending.TryRemove(key, out _);
            }
        }

        foreach (var (key, code) in Codes)
        {
            if (now >= code.ExpiresAt)
            {
                Codes.TryRemove(key, out _);
            }
        }

        foreach (var (key, token) in AccessTokens)
        {
            if (!token.IsValidAt(now))
            {
                AccessTokens.TryRemove(key, out _);
            }
        }
    }

    public void Record(RecordedRequest request)
    {
        lock (_requestsLock)
        {
            _requests.Add(request);
        }
    }

    public IReadOnlyList<RecordedRequest> SnapshotRequests()
    {
        lock (_requestsLock)
        {
            return [.. _requests];
        }
    }

    /// <summary>Counts the recorded requests to <paramref name="endpoint"/> without copying the record.</summary>
    public int CountRequests(EmulatorEndpoint endpoint)
    {
        lock (_requestsLock)
        {
            return _requests.Count(r => r.Endpoint == endpoint);
        }
    }

    public void ClearRequests()
    {
        lock (_requestsLock)
        {
            _requests.Clear();
        }
    }

    public void AddFault(EmulatorEndpoint endpoint, EmulatorFault fault)
    {
        lock (_faultsLock)
        {
            _faults.Add((endpoint, fault, fault.Times));
        }
    }

    public void ClearFaults()
    {
        lock (_faultsLock)
        {
            _faults.Clear();
        }
    }

    /// <summary>Takes the oldest fault queued for <paramref name="endpoint"/>, counting down its remaining uses.</summary>
    public EmulatorFault? TakeFault(EmulatorEndpoint endpoint)
    {
        lock (_faultsLock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (faultEndpoint, fault, remaining) = _faults[i];
                if (faultEndpoint != endpoint)
                {
                    continue;
                }

                if (remaining == 1)
                {
                    _faults.RemoveAt(i);
                }
                else if (remaining > 1)
                {
                    _faults[i] = (faultEndpoint, fault, remaining - 1);
                }

                return fault;
            }

            return null;
        }
    }

    public EmulatorUser? FindUserByAccessToken(string? authorization, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(authorization))
        {
            problem = "Missing Authorization header: send 'Authorization: Bearer <access token>'.";
            return null;
        }

        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            problem = "The Authorization header must use the Bearer scheme.";
            return null;
        }

        var token = authorization[Scheme.Length..].Trim();
        if (!AccessTokens.TryGetValue(token, out var grant))
        {
            problem = "The access token is invalid.";
            return null;
        }

        if (!grant.IsValidAt(Now))
        {
            problem = "The access token has expired.";
            return null;
        }

        if (!UsersById.TryGetValue(grant.UserId, out var user))
        {
            problem = "The access token is invalid.";
            return null;
        }

        return user;
    }
}
