using System.Security.Cryptography;

namespace ConsentPlatform.Host;

public static class EmbeddedDefaults
{
    /// <summary>
    /// The embedded default needs no setup: when no Hashing:Key is configured, one is generated
    /// once and kept in the data folder, so keyed hashes stay stable across restarts. The
    /// distributed services never do this: they must share one configured key.
    /// </summary>
    public static WebApplicationBuilder UseEmbeddedDefaults(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Hashing:Key"])) return builder;

        var folder = builder.Configuration["Database:DataFolder"] is { Length: > 0 } configured ? configured : "data";
        var file = Path.Combine(folder, "hashing.key");
        try
        {
            if (!File.Exists(file))
            {
                System.IO.Directory.CreateDirectory(folder);
                File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            builder.Configuration.AddInMemoryCollection([new("Hashing:Key", File.ReadAllText(file).Trim()), new("Hashing:KeyId", "embedded")]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left unset on purpose: start-up validation then reports the unwritable folder by its key.
        }
        return builder;
    }
}
