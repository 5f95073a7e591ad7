using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Cxdi.Host.Tests;

/// <summary>
/// The host packed as a .NET tool (package Cxdi.Workbench, command cxdi) with its built-in plugins, installed offline with
/// <c>dotnet tool install --tool-path</c> as README.md's "Two commands" shows, and run from there: the installed cxdi finds
/// the plugins/ folder beside its own dll.
/// </summary>
public sealed class ToolPackageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [DotnetFact]
    public void PackedTool_InstalledOffline_ListsTheBuiltInPlugins_AndRunsTheQuickstart()
    {
        var clock = Stopwatch.StartNew();
        var root = Path.Combine(Path.GetTempPath(), "cxdi-tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            // Pack what the test build made (the tests' configuration), keeping publish and nuspec output out of the repository.
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var repository = Harness.RepositoryRoot();
            var packages = Path.Combine(root, "packages");
            var environment = new Dictionary<string, string>
            {
                // A private cache: the package just packed is installed, never one extracted earlier under the same version.
                ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-cache"),
            };
            Dotnet(repository, environment, "pack", Path.Combine(repository, "host", "Cxdi.Host", "Cxdi.Host.csproj"), "-c", configuration, "--no-build", "-o", packages, "-nologo",
                "-p:PublishDir=" + Path.Combine(root, "publish") + Path.DirectorySeparatorChar,
                "-p:NuspecOutputPath=" + Path.Combine(root, "nuspec") + Path.DirectorySeparatorChar);
            var package = Path.Combine(packages, $"Cxdi.Workbench.{Versions.Software}.nupkg");
            Assert.True(File.Exists(package), $"{package} not found among {string.Join(", ", Directory.GetFiles(packages).Select(Path.GetFileName))}");
            AssertToolPackage(package);

            // Offline: the only package source is the folder just packed into.
            var config = Path.Combine(root, "nuget.config");
            new XDocument(new XElement("configuration", new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "cxdi"), new XAttribute("value", packages))))).Save(config);
            var tools = Path.Combine(root, "tools");
            Dotnet(root, environment, "tool", "install", "--tool-path", tools, "Cxdi.Workbench", "--version", Versions.Software, "--configfile", config);
            var cxdi = Path.Combine(tools, OperatingSystem.IsWindows() ? "cxdi.exe" : "cxdi");
            Assert.True(File.Exists(cxdi), $"no {cxdi} after dotnet tool install");

            var work = Path.Combine(root, "work");
            Directory.CreateDirectory(work);
            var version = Cxdi(cxdi, work);
            Assert.Contains(Versions.Software, version);

            var plugins = JsonDocument.Parse(Cxdi(cxdi, work, "plugins", "--json")).RootElement.EnumerateArray()
                .Select(p => (Id: p.GetProperty("id").GetString()!, Folder: (p.TryGetProperty("folder", out var folder) ? folder : p.GetProperty("assembly")).GetString()!)).ToList();
            Assert.Contains(plugins, p => p.Id == "cxdi.phase");
            Assert.Contains(plugins, p => p.Id == "esrf.edf");
            Assert.Contains(plugins, p => p.Id == "cxdi.simulate");
            // plugins and operators alike come from the plugins/ folder inside the installed tool
            Assert.All(plugins, p => Assert.StartsWith(Path.GetFullPath(tools), Path.GetFullPath(p.Folder), StringComparison.Ordinal));
            Assert.Contains("cxdi.phase", Cxdi(cxdi, work, "plugins"));

            // The quickstart, small: 128² (its detector gaps need more than 2 × 47 px) and one random start.
            File.Copy(Path.Combine(repository, "examples", "quickstart.yaml"), Path.Combine(work, "quickstart.yaml"));
            Cxdi(cxdi, work, "run", "quickstart.yaml", "--out", "out", "--set", "input.with.size=128", "--set", "steps.0.with.runs=1", "--set", "steps.0.with.keep=1");
            var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "out", "summary.json"))).RootElement;
            Assert.Equal("succeeded", summary.GetProperty("status").GetString());
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "out"), "*.cxi"));
            output.WriteLine($"pack, install and runs: {clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A DotnetTool package whose tools/ folder holds cxdi.dll and each built-in plugin with its .deps.json, without a second Cxdi.Sdk.</summary>
    private static void AssertToolPackage(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        const string Tool = "tools/net10.0/any/";
        Assert.Contains(Tool + "cxdi.dll", entries);
        Assert.Contains(Tool + "Cxdi.Sdk.dll", entries);
        Assert.Contains(Tool + "DotnetToolSettings.xml", entries);
        using (var settings = zip.GetEntry(Tool + "DotnetToolSettings.xml")!.Open())
        {
            var command = XDocument.Load(settings).Descendants().Single(e => e.Name.LocalName == "Command");
            Assert.Equal("cxdi", command.Attribute("Name")?.Value);
            Assert.Equal("cxdi.dll", command.Attribute("EntryPoint")?.Value);
        }

        var builtIn = Directory.GetDirectories(Path.Combine(Harness.RepositoryRoot(), "plugins")).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(builtIn);
        foreach (var plugin in builtIn)
        {
            Assert.Contains($"{Tool}plugins/{plugin}/{plugin}.dll", entries);
            Assert.Contains($"{Tool}plugins/{plugin}/{plugin}.deps.json", entries);
        }

        Assert.DoesNotContain(entries, e => e.StartsWith(Tool + "plugins/", StringComparison.Ordinal) && e.EndsWith("/Cxdi.Sdk.dll", StringComparison.Ordinal));

        using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("Cxdi.Workbench", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
        Assert.Contains(metadata.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
    }

    private void Dotnet(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var (code, log) = DotnetCli.Run(workingDirectory, environment, Timeout, arguments);
        output.WriteLine(log);
        Assert.True(code == 0, $"exit code {code}:\n{log}");
    }

    /// <summary>Runs the installed command (the shim dotnet tool install made) and returns its standard output; fails on a non-zero exit.</summary>
    private string Cxdi(string cxdi, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(cxdi)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(arguments.Length == 0 ? "--version" : arguments[0]);
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // The shim finds the runtime beside the dotnet on PATH wherever that is installed.
        start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(new FileInfo(DotnetCli.Executable!).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? DotnetCli.Executable!)!;
        start.Environment.Remove("CXDI_PLUGIN_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"cxdi {string.Join(' ', arguments)} took more than {Timeout.TotalSeconds:0} s");
        }

        output.WriteLine($"cxdi {string.Join(' ', arguments)} → {process.ExitCode}\n{stdout.Result}{stderr.Result}");
        Assert.True(process.ExitCode == 0, $"cxdi {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}{stderr.Result}");
        return stdout.Result;
    }
}
