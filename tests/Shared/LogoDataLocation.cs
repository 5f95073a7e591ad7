namespace Cxdi.Testing;

/// <summary>Where the measured ESRF ID10 logo data (the repository's <c>../shared/data/esrf-logo-id10</c>) are, if anywhere.</summary>
internal static class LogoDataLocation
{
    /// <summary>Why the logo tests skip when the data are absent, and how to get them.</summary>
    public const string MissingReason =
        "shared/data/esrf-logo-id10 not found above the test's directory: clone the repository beside shared/ (../shared/data/esrf-logo-id10 holds logo5mu_20sec.edf and support_logo5mu_20sec.edf)";

    /// <summary>The data directory, found by walking up from the test's base directory; null when absent.</summary>
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "esrf-logo-id10");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The data directory; throws with <see cref="MissingReason"/> when absent (use it only in <see cref="LogoDataFactAttribute"/> tests).</summary>
    public static string Require() => Find() ?? throw new DirectoryNotFoundException(MissingReason);
}

/// <summary>A fact skipped, saying how to get the data, when the shared ESRF logo data are not beside the repository.</summary>
public sealed class LogoDataFactAttribute : FactAttribute
{
    public LogoDataFactAttribute()
    {
        if (LogoDataLocation.Find() is null)
        {
            Skip = LogoDataLocation.MissingReason;
        }
    }
}
