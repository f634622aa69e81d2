using System.Security.Cryptography;
using System.Text;
using ConsentPlatform.ServiceDefaults.Web;

namespace ConsentPlatform.Consent.Scrub;

/// <summary>
/// Runs one scrub job to its end, for the API (inside the upload's request) and the console (after
/// the upload is saved, while the page shows progress): the result is written beside its final name,
/// hashed, moved into place and the job completed. Whatever stops it discards the job, so a refused
/// or abandoned file leaves nothing behind.
/// </summary>
public sealed class ScrubRunner(ScrubJobs jobs, ScrubEngine engine, ILogger<ScrubRunner> logger)
{
    public async Task RunAsync(CsvUpload upload, string organizationId, string id, ScrubProgress progress, string channel, string purpose, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        var part = jobs.ResultPath(id) + ".part";
        try
        {
            Directory.CreateDirectory(jobs.Folder);
            await using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var output = new StreamWriter(file, new UTF8Encoding(false), 1 << 16))
            {
                await engine.RunAsync(upload, output, organizationId, channel, purpose, at, progress, cancellationToken);
            }
            string sha256;
            await using (var result = File.OpenRead(part)) sha256 = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(result, cancellationToken));
            File.Move(part, jobs.ResultPath(id));
            await jobs.CompleteAsync(id, progress, sha256, cancellationToken);
            logger.LogInformation("Scrub {ScrubId} for {OrganizationId}: {Rows} rows, {Allowed} allowed", id, organizationId, progress.Rows, progress.Allowed);
        }
        catch
        {
            await jobs.DiscardAsync(id);
            throw;
        }
    }
}
