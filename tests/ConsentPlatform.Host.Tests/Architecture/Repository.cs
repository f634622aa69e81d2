namespace ConsentPlatform.Host.Tests.Architecture;

/// <summary>The checkout the tests run from, for the tests that read the source.</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ConsentPlatform.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No ConsentPlatform.sln above {AppContext.BaseDirectory}");
    }
}
