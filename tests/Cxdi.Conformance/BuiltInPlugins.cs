namespace Cxdi.Conformance;

/// <summary>Where the built-in plugins' own builds (same configuration as the tests) put them: each build folder is a plugin folder.</summary>
internal static class BuiltInPlugins
{
    /// <summary>The build folder of built-in plugin <paramref name="name"/>, e.g. <c>plugins/Cxdi.Plugins.Phasing/bin/Release/net10.0</c>.</summary>
    public static string BuildFolder(string name)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cxdi.Workbench.sln")))
            {
                return Path.Combine(dir.FullName, "plugins", name, "bin", configuration, "net10.0");
            }
        }

        throw new DirectoryNotFoundException("Cxdi.Workbench.sln not found above " + AppContext.BaseDirectory);
    }
}
