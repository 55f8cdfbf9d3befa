using LocalControl.Registry;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// Where the registry lives. Configuration: <c>Registry:Provider</c> (Sqlite | Postgres), <c>ConnectionStrings:Registry</c>
/// (required for Postgres; for SQLite it defaults to <c>{Registry:DataFolder}/localcontrol.db</c>), <c>Registry:SeedSamples</c>,
/// <c>Registry:SamplesFolder</c> (default: the repository's samples/cases, found upward from the app folder),
/// <c>Images:Folder</c> (uploaded volumes; default <c>{Registry:DataFolder}/images</c>), <c>Identity:KeyFolder</c> (the
/// patient-identity key ring; default <c>{Registry:DataFolder}/identity-keys</c>).
/// </summary>
public sealed record RegistrySettings(RegistryProvider Provider, string ConnectionString, bool SeedSamples, string? SamplesFolder, string ImagesFolder)
{
    /// <summary>The data folder (<c>Registry:DataFolder</c>, default App_Data beside the app): the SQLite file, images and keys.</summary>
    public string DataFolder { get; init; } = "";

    /// <summary>The patient-identity key ring's folder (<c>Identity:KeyFolder</c>, relative to the content root or absolute).</summary>
    public string IdentityKeyFolder { get; init; } = "";

    /// <summary>Reads and checks the settings; a wrong value stops the app at start with a message.</summary>
    public static RegistrySettings From(IConfiguration config, IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(env);
        var providerText = config["Registry:Provider"] ?? "Sqlite";
        if (!Enum.TryParse<RegistryProvider>(providerText, ignoreCase: true, out var provider))
        {
            throw new StartupException($"Registry:Provider must be Sqlite or Postgres, not '{providerText}'.");
        }
        var connection = config.GetConnectionString("Registry");
        var folder = config["Registry:DataFolder"] ?? "App_Data";
        folder = Path.IsPathRooted(folder) ? folder : Path.Combine(env.ContentRootPath, folder);
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (provider == RegistryProvider.Postgres)
            {
                throw new StartupException("Registry:Provider is Postgres but ConnectionStrings:Registry is empty.");
            }
            connection = $"Data Source={Path.Combine(folder, "localcontrol.db")}";
        }
        var images = config["Images:Folder"];
        images = string.IsNullOrWhiteSpace(images) ? Path.Combine(folder, "images")
            : Path.IsPathRooted(images) ? images : Path.Combine(env.ContentRootPath, images);
        var seed = !bool.TryParse(config["Registry:SeedSamples"], out var s) || s;
        var samples = config["Registry:SamplesFolder"];
        if (string.IsNullOrWhiteSpace(samples))
        {
            samples = FindUpward(env.ContentRootPath, Path.Combine("samples", "cases"))
                ?? FindUpward(AppContext.BaseDirectory, Path.Combine("samples", "cases"));
        }
        var keys = config["Identity:KeyFolder"];
        keys = string.IsNullOrWhiteSpace(keys) ? Path.Combine(folder, "identity-keys")
            : Path.IsPathRooted(keys) ? keys : Path.Combine(env.ContentRootPath, keys);
        return new RegistrySettings(provider, connection, seed, samples, images) { DataFolder = folder, IdentityKeyFolder = keys };
    }

    private static string? FindUpward(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
