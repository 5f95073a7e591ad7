using System.Text;
using Cxdi.Host.Cli;

namespace Cxdi.Host.Tests;

/// <summary>The result of an in-process <c>cxdi</c> invocation.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Non-empty lines of stderr.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A unique temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cxdi-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Runs <c>cxdi</c> in-process with no built-in plugins, the test plugins given by <c>--plugins</c>, and a private environment.</summary>
public static class Harness
{
    /// <summary>The test plugin folder deployed beside the tests.</summary>
    public static string TestPlugins => Path.Combine(AppContext.BaseDirectory, "testplugins", "Cxdi.Host.TestPlugins");

    /// <summary>The <c>plugins/</c> folder the host build (same configuration as the tests) deploys the built-in plugins into.</summary>
    public static string BuiltInPlugins
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(RepositoryRoot(), "host", "Cxdi.Host", "bin", configuration, "net10.0", "plugins");
        }
    }

    /// <summary>Runs cxdi with the test plugins loaded.</summary>
    public static Task<CliResult> Run(string currentDirectory, params string[] args) =>
        RunRaw(currentDirectory, null, CancellationToken.None, ["--plugins", TestPlugins, .. args]);

    /// <summary>Runs cxdi with exactly these arguments.</summary>
    public static async Task<CliResult> RunRaw(string currentDirectory, IReadOnlyDictionary<string, string>? variables, CancellationToken cancellation, params string[] args)
    {
        var stdout = new StringWriter(new StringBuilder());
        var stderr = new StringWriter(new StringBuilder());
        var environment = new CliEnvironment(null, currentDirectory, variables ?? new Dictionary<string, string>());
        var code = await Cli.Cli.RunAsync(args, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), environment, cancellation);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The repository root (the directory holding Cxdi.Workbench.sln), found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Cxdi.Workbench.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Cxdi.Workbench.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Copies a directory tree.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            System.IO.File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>A TESTRAW file (read by the test.raw plugin) of <paramref name="ny"/> × <paramref name="nx"/> values.</summary>
    public static string Raw(int ny, int nx, Func<int, float> value) =>
        $"TESTRAW {ny} {nx}\n" + string.Join(' ', Enumerable.Range(0, ny * nx).Select(i => value(i).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n";
}
