namespace ConsentPlatform.Testing;

/// <summary>
/// Keeps the last lines a child process wrote, so a failure can show what the process said
/// without letting a chatty process grow the test host's memory without bound.
/// </summary>
internal sealed class OutputBuffer(int capacity = 500)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string prefix, string? line)
    {
        // Process streams signal end-of-stream with null.
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(prefix + line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public string Tail(int lines)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }
}
