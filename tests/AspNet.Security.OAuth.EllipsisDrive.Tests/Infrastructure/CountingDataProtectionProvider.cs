using Microsoft.AspNetCore.DataProtection;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Infrastructure;

/// <summary>Real (ephemeral) Data Protection that counts the unprotect calls of every protector it made.</summary>
internal sealed class CountingDataProtectionProvider : IDataProtectionProvider
{
    private readonly EphemeralDataProtectionProvider _inner = new();
    private int _unprotects;

    public int Unprotects => Volatile.Read(ref _unprotects);

    public IDataProtector CreateProtector(string purpose) => new Protector(this, _inner.CreateProtector(purpose));

    private sealed class Protector(CountingDataProtectionProvider owner, IDataProtector inner) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) => new Protector(owner, inner.CreateProtector(purpose));

        public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData)
        {
            Interlocked.Increment(ref owner._unprotects);
            return inner.Unprotect(protectedData);
        }
    }
}
