using Cxdi.Host.Plugins;
using Cxdi.Host.Tui;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Host.Tests.Tui;

/// <summary>A temporary directory with a small workflow on the host's test plugins (test.gen reader, test.phaser), and a session over them.</summary>
internal sealed class TuiFixture : IDisposable
{
    public const string Quickstart = """
        schema: 1
        name: quickstart
        description: Test workflow for the terminal UI
        input:
          use: test.gen
          with: { size: 16 }   # keep it tiny
        steps:
          - use: test.phaser
            id: phase
            with: { runs: 4, run_ms: RUNMS }
        output:
          directory: out
          writers: [test.json]
        """;

    private readonly PluginCatalog _catalog;

    public TuiFixture(int runMs = 0)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("cxdi-tui-");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory.FullName, "examples"));
        Workflow = Path.Combine(Directory.FullName, "examples", "quickstart.yaml");
        File.WriteAllText(Workflow, Quickstart.Replace("RUNMS", runMs.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        _catalog = PluginCatalog.Load([new PluginSource(TestPluginDirectory, GivenByUser: true)], NullLoggerFactory.Instance);
        Session = new TuiSession(_catalog, Directory.FullName, null, "cxdi tui (test)");
    }

    public static string TestPluginDirectory => Path.Combine(AppContext.BaseDirectory, "testplugins");

    public DirectoryInfo Directory { get; }

    public string Workflow { get; }

    public TuiSession Session { get; }

    public void Dispose()
    {
        _catalog.Dispose();
        Directory.Delete(recursive: true);
    }
}
