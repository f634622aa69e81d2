using System.Text;
using ConsentPlatform.ServiceDefaults.Web;

namespace ConsentPlatform.ServiceDefaults.Tests;

public sealed class CsvUploadTests
{
    private static async Task<(string Text, string Encoding)> ReadAsync(byte[] bytes)
    {
        using var upload = await CsvUpload.OpenAsync(new MemoryStream(bytes), CancellationToken.None);
        return (await upload.ReadToEndAsync(), upload.EncodingName);
    }

    [Fact]
    public async Task Shift_jis_is_converted_and_named()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = "氏名,電話番号\n山田 太郎,090-1234-5678\n";

        Assert.Equal((text, CsvUpload.ShiftJisName), await ReadAsync(Encoding.GetEncoding(932).GetBytes(text)));
    }

    [Fact]
    public async Task Utf8_with_bom_loses_the_bom_and_a_large_file_crosses_blocks_intact()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"山田{i},090-1234-{i % 10000:0000}\n"));

        Assert.Equal((text, CsvUpload.Utf8Name), await ReadAsync([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]));
        Assert.Equal((text, CsvUpload.Utf8Name), await ReadAsync(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(200_000)]
    public async Task Bytes_that_are_neither_are_refused_with_the_first_bad_offset(int at)
    {
        var bytes = Encoding.UTF8.GetBytes("phone\n" + new string('1', at - 6) + "\n");
        bytes = [.. bytes[..at], 0x81, 0x20, .. bytes[at..]];

        var refused = await Assert.ThrowsAsync<CsvEncodingException>(() => ReadAsync(bytes));

        Assert.Equal(at, refused.Offset);
        Assert.Contains($"offset {at}", refused.Message);
        Assert.Contains("0x81", refused.Message);
    }
}
