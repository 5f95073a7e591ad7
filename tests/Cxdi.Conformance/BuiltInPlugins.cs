namespace Cxdi.Conformance;

/// <summary>Where the host build (same configuration as the tests) deploys the built-in plugin folders.</summary>
internal static class BuiltInPlugins
{
    /// <summary>The folder of built-in plugin <paramref name="name"/>, e.g. <c>Cxdi.Plugins.Phasing</c>.</summary>
    public static string Folder(string name)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cxdi.Workbench.sln")))
            {
                return Path.Combine(dir.FullName, "host", "Cxdi.Host", "bin", configuration, "net10.0", "plugins", name);
            }
        }

        throw new DirectoryNotFoundException("Cxdi.Workbench.sln not found above " + AppContext.BaseDirectory);
    }
}
