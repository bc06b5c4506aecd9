using System.Collections;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>A lock-protected string collection whose enumerator walks a snapshot, so tests may change it while requests read it.</summary>
internal sealed class SynchronizedCollection : ICollection<string>
{
    private readonly List<string> _items;
    private readonly Lock _lock = new();

    public SynchronizedCollection(IEnumerable<string> items) => _items = [.. items];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(string item)
    {
        lock (_lock)
        {
            return _items.Contains(item, StringComparer.Ordinal);
        }
    }

    public void CopyTo(string[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(string item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public string[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
