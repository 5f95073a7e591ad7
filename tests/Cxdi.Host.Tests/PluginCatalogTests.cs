using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Cxdi.Host.Plugins;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Host.Tests;

public sealed class PluginCatalogTests
{
    private static PluginCatalog Load(params PluginSource[] sources) => PluginCatalog.Load(sources, NullLoggerFactory.Instance);

    [Fact]
    public void Load_TestPluginFolder_ListsIdsVersionsRolesAndOptions()
    {
        using var catalog = Load(new PluginSource(Harness.TestPlugins, GivenByUser: true));
        var scale = catalog.Find("test.scale")!;
        Assert.Equal("1.2.0", scale.Version);
        Assert.Equal(PluginRole.Preprocessor, scale.Role);
        Assert.Equal("ScaleOptions", scale.OptionsType.Name);
        Assert.Equal("Scales intensities", scale.Description);
        Assert.Equal(Path.Combine(Harness.TestPlugins, "Cxdi.Host.TestPlugins.dll"), scale.AssemblyFile);
        Assert.Equal(PluginRole.Reader, catalog.Find("test.raw")!.Role);
        Assert.Equal(PluginRole.SupportFinder, catalog.Find("test.box")!.Role);
        Assert.Equal(PluginRole.Phaser, catalog.Find("test.phaser")!.Role);
        Assert.Equal(PluginRole.Analysis, catalog.Find("cxdi.guardrails")!.Role);
        Assert.Equal(PluginRole.Writer, catalog.Find("test.json")!.Role);
        Assert.Equal(PluginRole.CliTool, catalog.Find("test.stats-tool")!.Role);
        Assert.Equal(3, catalog.OfRole(PluginRole.Backend).Count());
        Assert.Equal(15, catalog.Plugins.Count);
    }

    [Fact]
    public void Create_GivesInstancesSharingTheHostsSdkTypes()
    {
        using var catalog = Load(new PluginSource(Harness.TestPlugins, GivenByUser: true));
        var plugin = PluginCatalog.Create(catalog.Find("test.scale")!);
        Assert.IsAssignableFrom<IPreprocessor>(plugin);
        Assert.Same(typeof(IPreprocessor).Assembly, plugin.OptionsType.BaseType!.Assembly);
    }

    [Fact]
    public void Load_DirectoryOfPluginFolders_FindsThePluginInside()
    {
        using var temp = new TempDir();
        Harness.CopyDirectory(Harness.TestPlugins, Path.Combine(temp.Path, "Cxdi.Host.TestPlugins"));
        using var catalog = Load(new PluginSource(temp.Path, GivenByUser: true));
        Assert.NotNull(catalog.Find("test.gen"));
        Assert.Equal(Path.Combine(temp.Path, "Cxdi.Host.TestPlugins"), catalog.Find("test.gen")!.Folder);
    }

    [Fact]
    public void Load_BuiltInPluginFolderOfTheHostBuild_LoadsWithoutErrors()
    {
        var builtIn = Harness.BuiltInPlugins;
        Assert.True(Directory.Exists(builtIn), $"the host build deploys its plugins into {builtIn}");
        using var catalog = Load(new PluginSource(builtIn, GivenByUser: false));
        foreach (var plugin in catalog.Plugins)
        {
            Assert.StartsWith(builtIn, plugin.Folder);
            Assert.Equal(Path.GetFileName(plugin.Folder) + ".dll", Path.GetFileName(plugin.AssemblyFile));
        }
    }

    [Fact]
    public void Load_MissingBuiltInFolder_IsNotAnError()
    {
        using var catalog = Load(new PluginSource("/nonexistent/cxdi/plugins", GivenByUser: false));
        Assert.Empty(catalog.Plugins);
    }

    [Fact]
    public async Task Plugins_TwoFoldersClaimingOneId_IsOneLineNamingBothFiles()
    {
        using var temp = new TempDir();
        var a = Path.Combine(temp.Path, "a", "Cxdi.Host.TestPlugins");
        var b = Path.Combine(temp.Path, "b", "Cxdi.Host.TestPlugins");
        Harness.CopyDirectory(Harness.TestPlugins, a);
        Harness.CopyDirectory(Harness.TestPlugins, b);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", a, "--plugins", b);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.Contains("is claimed by both", line);
        Assert.Contains(Path.Combine(a, "Cxdi.Host.TestPlugins.dll"), line);
        Assert.Contains(Path.Combine(b, "Cxdi.Host.TestPlugins.dll"), line);
    }

    [Fact]
    public void Load_SamePluginFolderTwice_IsLoadedOnce()
    {
        using var catalog = Load(new PluginSource(Harness.TestPlugins, true), new PluginSource(Harness.TestPlugins, true));
        Assert.Equal(15, catalog.Plugins.Count);
    }

    [Fact]
    public void Load_PluginBuiltAgainstAnotherSdkMajor_IsRejectedBeforeLoading()
    {
        using var temp = new TempDir();
        var folder = Path.Combine(temp.Path, "Cxdi.Host.TestPlugins");
        Harness.CopyDirectory(Harness.TestPlugins, folder);
        var dll = Path.Combine(folder, "Cxdi.Host.TestPlugins.dll");
        SetSdkReferenceMajor(dll, 7);
        var e = Assert.Throws<PluginLoadException>(() => Load(new PluginSource(folder, true)));
        Assert.Contains($"plugin {dll} was built against Cxdi.Sdk 7.", e.Message);
        Assert.Contains($"this host uses Cxdi.Sdk {typeof(ICxdiPluginModule).Assembly.GetName().Version}", e.Message);
        Assert.Contains(typeof(ICxdiPluginModule).Assembly.Location, e.Message);
    }

    [Fact]
    public async Task Plugins_FolderWithoutPlugin_AndMissingFolder_AreOneLineErrors()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(Path.Combine(temp.Path, "empty"));
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", "empty");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("cxdi: error: no plugin found in " + Path.Combine(temp.Path, "empty"), Assert.Single(r.ErrorLines));

        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", "missing");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Plugins_TruncatedAssembly_IsOneLineError()
    {
        using var temp = new TempDir();
        var folder = Path.Combine(temp.Path, "Cxdi.Host.TestPlugins");
        Harness.CopyDirectory(Harness.TestPlugins, folder);
        var dll = Path.Combine(folder, "Cxdi.Host.TestPlugins.dll");
        File.WriteAllBytes(dll, File.ReadAllBytes(dll)[..1000]);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", folder);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"cxdi: error: no plugin found in {folder}", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Plugins_PluginPathVariable_AddsEachEntry()
    {
        using var temp = new TempDir();
        var folder = Path.Combine(temp.Path, "x", "Cxdi.Host.TestPlugins");
        Harness.CopyDirectory(Harness.TestPlugins, folder);
        var variables = new Dictionary<string, string> { ["CXDI_PLUGIN_PATH"] = $"{Path.Combine(temp.Path, "x")}{Path.PathSeparator}" };
        var r = await Harness.RunRaw(temp.Path, variables, CancellationToken.None, "plugins");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("test.scale", r.Out);
        Assert.Contains($"[{folder}]", r.Out);
    }

    [Fact]
    public async Task Plugins_Json_ListsOptionsWithTypesAndDefaults()
    {
        using var temp = new TempDir();
        var r = await Harness.Run(temp.Path, "plugins", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        var scale = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "test.scale");
        Assert.Equal("preprocessor", scale.GetProperty("role").GetString());
        Assert.Equal(Harness.TestPlugins, scale.GetProperty("folder").GetString());
        var options = scale.GetProperty("options").EnumerateArray().ToList();
        Assert.Equal(["factor", "mode", "tags", "crop_to"], options.Select(o => o.GetProperty("key").GetString()));
        Assert.Equal(2, options[0].GetProperty("default").GetDouble());
        Assert.Equal("one of multiply|add_constant", options[1].GetProperty("type").GetString());
    }

    /// <summary>A directory of plugin folders: Good (the test plugins) and Broken (the test plugins rebuilt against Cxdi.Sdk 7).</summary>
    private static (string Root, string Broken) PathWithABrokenFolder(TempDir temp)
    {
        var root = Path.Combine(temp.Path, "extra");
        Harness.CopyDirectory(Harness.TestPlugins, Path.Combine(root, "Good"));
        var broken = Path.Combine(root, "Broken");
        Harness.CopyDirectory(Harness.TestPlugins, broken);
        SetSdkReferenceMajor(Path.Combine(broken, "Cxdi.Host.TestPlugins.dll"), 7);
        return (root, broken);
    }

    [Fact]
    public async Task Run_BrokenFolderOnPluginPath_WarnsOnceAndRunsAnUnrelatedWorkflow()
    {
        using var temp = new TempDir();
        var (root, broken) = PathWithABrokenFolder(temp);
        temp.File("w.yaml", "schema: 1\nname: w\ninput: { use: test.gen, with: { size: 8 } }\nsteps:\n  - use: test.phaser\noutput:\n  writers: [test.json]\n");
        var variables = new Dictionary<string, string> { ["CXDI_PLUGIN_PATH"] = root };
        var r = await Harness.RunRaw(temp.Path, variables, CancellationToken.None, "run", "w.yaml");
        Assert.Equal(0, r.ExitCode);
        var warning = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"cxdi: warning: plugin folder {broken} failed to load, its plugins are not available: plugin {Path.Combine(broken, "Cxdi.Host.TestPlugins.dll")} was built against Cxdi.Sdk 7.", warning);
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "w", "summary.json")));

        // the built-in folder is as lenient; --plugins DIR stays strict
        using var catalog = Load(new PluginSource(root, GivenByUser: false));
        Assert.Equal(broken, Assert.Single(catalog.Failures).Folder);
        Assert.NotNull(catalog.Find("test.gen"));
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", root, "run", "w.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("was built against Cxdi.Sdk 7.", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Run_WorkflowUsingAnIdNotLoaded_WhenAFolderFailed_NamesTheFolderAndItsReason()
    {
        using var temp = new TempDir();
        var (root, broken) = PathWithABrokenFolder(temp);
        var file = temp.File("w.yaml", "schema: 1\nname: w\ninput: { use: test.gen, with: { size: 8 } }\nsteps:\n  - use: acme.solver\n");
        var variables = new Dictionary<string, string> { ["CXDI_PLUGIN_PATH"] = root };
        var r = await Harness.RunRaw(temp.Path, variables, CancellationToken.None, "run", "w.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(2, r.ErrorLines.Length);
        Assert.StartsWith("cxdi: warning: plugin folder ", r.ErrorLines[0]);
        var expected = $"{file}:5:10: unknown plugin 'acme.solver' ('cxdi plugins' lists the loaded ones); plugin folder {broken} failed to load (plugin {Path.Combine(broken, "Cxdi.Host.TestPlugins.dll")} was built against Cxdi.Sdk 7.";
        Assert.True(r.ErrorLines[1].StartsWith(expected, StringComparison.Ordinal), r.ErrorLines[1]);
        Assert.EndsWith("and may provide it", r.ErrorLines[1]);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }

    [Fact]
    public async Task Plugins_JunkDllBesideAPlugin_IsOneWarningLine()
    {
        using var temp = new TempDir();
        var folder = Path.Combine(temp.Path, "Cxdi.Host.TestPlugins");
        Harness.CopyDirectory(Harness.TestPlugins, folder);
        File.WriteAllText(Path.Combine(folder, "junk.dll"), "this is not a DLL");
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--plugins", folder);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("test.scale", r.Out);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"cxdi: warning: plugin folder {folder}: junk.dll is not an assembly or native library (", line);
        Assert.EndsWith("); ignored", line);
    }

    /// <summary>Rewrites the major version of the assembly's Cxdi.Sdk reference in place (AssemblyRef table, first column).</summary>
    internal static void SetSdkReferenceMajor(string dll, ushort major)
    {
        var bytes = File.ReadAllBytes(dll);
        int offset;
        using (var pe = new PEReader(new MemoryStream(bytes)))
        {
            var md = pe.GetMetadataReader();
            var handle = md.AssemblyReferences.Single(h => md.GetString(md.GetAssemblyReference(h).Name) == "Cxdi.Sdk");
            var row = MetadataTokens.GetRowNumber(handle);
            offset = pe.PEHeaders.MetadataStartOffset + md.GetTableMetadataOffset(TableIndex.AssemblyRef) + ((row - 1) * md.GetTableRowSize(TableIndex.AssemblyRef));
        }

        BitConverter.TryWriteBytes(bytes.AsSpan(offset, 2), major);
        File.WriteAllBytes(dll, bytes);
    }
}
