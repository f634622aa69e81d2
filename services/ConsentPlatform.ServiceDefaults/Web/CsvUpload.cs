using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>An upload that is neither UTF-8 nor Shift_JIS (CP932): the message names the encoding problem and the first bad byte (0-based offset).</summary>
public sealed class CsvEncodingException(string message, long offset) : Exception(message)
{
    public long Offset { get; } = offset;
}

/// <summary>
/// Reads an uploaded CSV (scrub, import) whatever Excel saved it as: UTF-8 with or without BOM, or
/// Shift_JIS (CP932, what Japanese Excel writes as "CSV"), which is converted. The choice is made on
/// the first block, so a file of any size streams; strict decoding after that, so a bad byte later
/// is refused with its offset rather than read as U+FFFD.
/// </summary>
public sealed class CsvUpload : TextReader
{
    private const int BlockSize = 64 * 1024;
    public const string Utf8Name = "UTF-8";
    public const string ShiftJisName = "Shift_JIS (CP932)";

    private static readonly Encoding ShiftJis = CreateShiftJis();

    private readonly Stream _input;
    private readonly Decoder _decoder;
    private readonly byte[] _bytes = new byte[BlockSize];
    private readonly char[] _chars = new char[BlockSize + 2];
    private int _byteCount, _byteStart, _charCount, _charStart;
    private long _offset; // of _bytes[0] in the file
    private bool _ended;

    private CsvUpload(Stream input, string encodingName, Decoder decoder, byte[] first, int count, int skip)
    {
        _input = input;
        EncodingName = encodingName;
        _decoder = decoder;
        first.AsSpan(0, count).CopyTo(_bytes);
        _byteCount = count;
        _byteStart = skip;
    }

    /// <summary><see cref="Utf8Name"/> or <see cref="ShiftJisName"/>.</summary>
    public string EncodingName { get; }

    /// <summary>True when the file was not UTF-8 and was converted; say so in the result.</summary>
    public bool Converted => EncodingName != Utf8Name;

    /// <summary>Looks at the first block and picks the encoding; throws <see cref="CsvEncodingException"/> when it is neither.</summary>
    public static async Task<CsvUpload> OpenAsync(Stream input, CancellationToken cancellationToken)
    {
        var first = new byte[BlockSize];
        var count = 0;
        int read;
        while (count < first.Length && (read = await input.ReadAsync(first.AsMemory(count), cancellationToken)) > 0) count += read;
        var block = first.AsSpan(0, count);
        var ended = count < first.Length;
        if (block.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return new CsvUpload(input, Utf8Name, StrictUtf8().GetDecoder(), first, count, 3);
        var utf8Bad = FirstInvalidUtf8(block, ended);
        if (utf8Bad < 0) return new CsvUpload(input, Utf8Name, StrictUtf8().GetDecoder(), first, count, 0);
        if (IsShiftJis(block, ended)) return new CsvUpload(input, ShiftJisName, ShiftJis.GetDecoder(), first, count, 0);
        throw Refused(Utf8Name, utf8Bad, block[utf8Bad]);
    }

    public override int Peek()
    {
        if (!Fill()) return -1;
        return _chars[_charStart];
    }

    public override int Read()
    {
        if (!Fill()) return -1;
        return _chars[_charStart++];
    }

    public override int Read(Span<char> buffer)
    {
        if (buffer.Length == 0 || !Fill()) return 0;
        var n = Math.Min(buffer.Length, _charCount - _charStart);
        _chars.AsSpan(_charStart, n).CopyTo(buffer);
        _charStart += n;
        return n;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (_charStart >= _charCount) await FillAsync(cancellationToken);
        return Read(buffer.Span);
    }

    private bool Fill()
    {
        if (_charStart < _charCount) return true;
        FillAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return _charStart < _charCount;
    }

    /// <summary>Decodes the next bytes into characters, reading more from the stream when the buffer is used up.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        _charStart = _charCount = 0;
        while (_charCount == 0)
        {
            if (_byteStart >= _byteCount && !_ended)
            {
                _offset += _byteCount;
                _byteStart = 0;
                _byteCount = await _input.ReadAsync(_bytes, cancellationToken);
                if (_byteCount == 0) _ended = true;
            }
            if (_byteStart >= _byteCount && _ended)
            {
                Decode([], flush: true);
                return;
            }
            var chunk = Math.Min(_byteCount - _byteStart, BlockSize / 2);
            Decode(_bytes.AsSpan(_byteStart, chunk), flush: false);
            _byteStart += chunk;
        }
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        try
        {
            _charCount = _decoder.GetChars(bytes, _chars, flush);
        }
        catch (DecoderFallbackException e)
        {
            var at = _offset + _byteStart + Math.Max(0, e.Index);
            throw Refused(EncodingName, at, e.BytesUnknown is { Length: > 0 } unknown ? unknown[0] : (byte)0);
        }
    }

    private static CsvEncodingException Refused(string encoding, long offset, byte value) =>
        new($"The file is not valid {encoding} (nor Shift_JIS/CP932): byte 0x{value:X2} at offset {offset} cannot be decoded. Save it as CSV UTF-8 and upload it again.", offset);

    /// <summary>The offset of the first byte that is not UTF-8, or -1; a sequence cut by the block's end is not counted as bad unless the file ends there.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> block, bool final)
    {
        var chars = ArrayPool<char>.Shared.Rent(block.Length + 1);
        try
        {
            var status = Utf8.ToUtf16(block, chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: final);
            return status == OperationStatus.InvalidData ? read : -1;
        }
        finally { ArrayPool<char>.Shared.Return(chars); }
    }

    private static bool IsShiftJis(ReadOnlySpan<byte> block, bool final)
    {
        try
        {
            var decoder = ShiftJis.GetDecoder();
            decoder.GetCharCount(block, flush: final);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static UTF8Encoding StrictUtf8() => new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static Encoding CreateShiftJis()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }
}
