using System.Diagnostics;

namespace Cxdi.Host.Tests;

/// <summary>A <see cref="FactAttribute"/> skipped, with the reason, when no <c>dotnet</c> executable is on PATH.</summary>
public sealed class DotnetFactAttribute : FactAttribute
{
    public DotnetFactAttribute()
    {
        if (DotnetCli.Executable is null)
        {
            Skip = "dotnet is not on PATH: these tests pack the SDK and build plugins with the dotnet CLI, as a third party would";
        }
    }
}

/// <summary>Runs the <c>dotnet</c> CLI found on PATH with an argument list (never a shell string).</summary>
public static class DotnetCli
{
    /// <summary>The full path of <c>dotnet</c> on PATH, or null.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> and returns its exit code and output.</summary>
    public static (int ExitCode, string Log) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("dotnet is not on PATH"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs inside MSBuild/VSTest: drop what would point a child build at the parent's MSBuild.
        foreach (var variable in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took more than {timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, $"dotnet {string.Join(' ', arguments)}\n{stdout.Result}{stderr.Result}");
    }

    private static string? Find()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>
/// Builds plugins the way a third party does, outside this repository: packs Cxdi.Sdk and Cxdi.Templates into a temporary
/// package folder (from the build the tests already made, so nothing in the repository is rebuilt), copies a project to a
/// temporary folder outside the repository and builds it offline with <c>dotnet build -o</c> against that package folder
/// and the local NuGet cache, restoring into a private package cache so that an old Cxdi.Sdk extracted by earlier builds is
/// never used.
/// </summary>
/// <remarks>
/// Another sample under examples/plugins needs one test: <c>var plugin = outside.BuildOutsideRepo("Acme.Cxdi.Algorithms");</c>
/// then <c>Harness.RunRaw(…, "--plugins", plugin, "--plugins", Harness.BuiltInPlugins, "run", Path.Combine(outside.SampleCopy("Acme.Cxdi.Algorithms"), "asr.yaml"))</c>.
/// A package of its own must be in the NuGet cache for the offline build: add a PackageDownload for it to
/// Cxdi.Host.Tests.csproj, as for MathNet.Numerics.
/// </remarks>
public sealed class OutsideRepository : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly Lazy<string> _packages;
    private readonly Lazy<string> _hive;
    private readonly Dictionary<string, Lazy<string>> _builds = [];
    private readonly Lock _gate = new();

    public OutsideRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "cxdi-outside-" + Guid.NewGuid().ToString("N"));
        if (IsUnder(Root, Harness.RepositoryRoot()))
        {
            throw new InvalidOperationException($"the temporary folder {Root} is inside the repository {Harness.RepositoryRoot()}: set TMPDIR elsewhere");
        }

        Directory.CreateDirectory(Root);
        _packages = new Lazy<string>(Pack);
        _hive = new Lazy<string>(InstallTemplates);
    }

    /// <summary>The temporary folder everything is made in (outside the repository).</summary>
    public string Root { get; }

    /// <summary>The folder holding Cxdi.Sdk.&lt;version&gt;.nupkg and Cxdi.Templates.&lt;version&gt;.nupkg, packed on first use.</summary>
    public string Packages => _packages.Value;

    /// <summary>
    /// Copies <c>examples/plugins/<paramref name="sampleFolder"/></c> (without bin/obj) to a folder outside the repository,
    /// builds it as its README says, and returns the output folder (a plugin folder for <c>--plugins</c>). Built once per
    /// fixture; a failed build throws with the build log.
    /// </summary>
    public string BuildOutsideRepo(string sampleFolder) => Once("sample:" + sampleFolder, () =>
    {
        var source = Path.Combine(Harness.RepositoryRoot(), "examples", "plugins", sampleFolder);
        var copy = SampleCopy(sampleFolder);
        CopyProject(source, copy);
        return Build(copy, sampleFolder);
    });

    /// <summary>Where <see cref="BuildOutsideRepo"/> copies <c>examples/plugins/<paramref name="sampleFolder"/></c> (its workflows included).</summary>
    public string SampleCopy(string sampleFolder) => Path.Combine(Root, "src", sampleFolder);

    /// <summary>Runs <c>dotnet new <paramref name="template"/> -n <paramref name="name"/></c> from the packed templates (installed in a private hive) outside the repository, builds the project, and returns the output folder.</summary>
    public string BuildFromTemplate(string template, string name) => Once($"template:{template}:{name}", () =>
    {
        var folder = Path.Combine(Root, "new", name);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Dotnet(Root, "new", template, "-n", name, "-o", folder, "--no-update-check", "--debug:custom-hive", _hive.Value);
        return Build(folder, name);
    });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string Once(string key, Func<string> make)
    {
        Lazy<string> build;
        lock (_gate)
        {
            if (!_builds.TryGetValue(key, out build!))
            {
                build = new Lazy<string>(make);
                _builds[key] = build;
            }
        }

        return build.Value;
    }

    private string Pack()
    {
        // The tests' own configuration (…/bin/<Configuration>/net10.0/): the SDK and the templates were built with it.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var packages = Path.Combine(Root, "packages");
        var repository = Harness.RepositoryRoot();
        foreach (var project in new[] { Path.Combine("sdk", "Cxdi.Sdk", "Cxdi.Sdk.csproj"), Path.Combine("templates", "Cxdi.Templates", "Cxdi.Templates.csproj") })
        {
            // --no-build packs what the test build made; NuspecOutputPath keeps the generated .nuspec out of the repository.
            var nuspec = Path.Combine(Root, "nuspec", Path.GetFileNameWithoutExtension(project)) + Path.DirectorySeparatorChar;
            Dotnet(repository, "pack", Path.Combine(repository, project), "-c", configuration, "--no-build", "-o", packages, "-nologo", "-p:NuspecOutputPath=" + nuspec);
        }

        return packages;
    }

    private string InstallTemplates()
    {
        var hive = Path.Combine(Root, "template-hive");
        var package = Directory.GetFiles(Packages, "Cxdi.Templates.*.nupkg").Single();
        Dotnet(Root, "new", "install", package, "--debug:custom-hive", hive);
        return hive;
    }

    private string Build(string projectFolder, string name)
    {
        var output = Path.Combine(Root, "plugins", name);
        Dotnet(
            projectFolder,
            "build", "-c", "Release", "-o", output, "-nologo", "-nodeReuse:false",
            "--source", Packages, "--source", GlobalPackagesFolder());
        return output;
    }

    private void Dotnet(string workingDirectory, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            // A private restore cache: the freshly packed Cxdi.Sdk is used, never one extracted earlier under the same version.
            ["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-cache"),
        };
        var (code, log) = DotnetCli.Run(workingDirectory, environment, Timeout, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"exit code {code}:\n{log}");
        }
    }

    /// <summary>The machine's NuGet global packages folder (a package source that works offline).</summary>
    private static string GlobalPackagesFolder()
    {
        var (code, log) = DotnetCli.Run(Path.GetTempPath(), new Dictionary<string, string>(), Timeout, "nuget", "locals", "global-packages", "--list");
        var line = log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        if (code != 0 || line is null)
        {
            throw new InvalidOperationException("could not find the NuGet global packages folder:\n" + log);
        }

        return line["global-packages:".Length..].Trim();
    }

    private static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static bool IsUnder(string path, string folder) =>
        Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

/// <summary>The tests that build plugins outside the repository share one package folder and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class OutsideRepositoryCollection : ICollectionFixture<OutsideRepository>
{
    public const string Name = "Outside the repository";
}
