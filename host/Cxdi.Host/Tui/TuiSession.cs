using System.Text.RegularExpressions;
using Cxdi.Host.Cli;
using Cxdi.Host.Execution;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Microsoft.Extensions.Logging;

namespace Cxdi.Host.Tui;

/// <summary>A workflow as the browser shows it: what it does, and every problem validation found (with its YAML line when known).</summary>
/// <param name="File">Absolute path.</param>
/// <param name="Name">Workflow name (file name when unreadable).</param>
/// <param name="Description">One-line description.</param>
/// <param name="Input">Reader id and file.</param>
/// <param name="Steps">"id (plugin)" per step.</param>
/// <param name="Output">Output directory and writers.</param>
/// <param name="Problems">Validation problems; empty when the workflow is ready to run.</param>
/// <param name="Plan">The validated plan, or null when there are problems.</param>
public sealed record WorkflowInfo(string File, string Name, string Description, string Input, IReadOnlyList<string> Steps, string Output, IReadOnlyList<Problem> Problems, WorkflowPlan? Plan)
{
    /// <summary>True when the workflow validated.</summary>
    public bool IsValid => Plan is not null && Problems.Count == 0;

    /// <summary>The YAML line (1-based) a problem points at, or null when it names no line of <paramref name="file"/>.</summary>
    public static int? LineOf(Problem problem, string file)
    {
        var m = Regex.Match(problem.Where, @":(\d+):(\d+)$");
        return m.Success && problem.Where[..m.Index] == file ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>
/// The host services the terminal UI is a thin client of: workflow discovery, validation with the <see cref="WorkflowPlanner"/>,
/// and execution with the <see cref="WorkflowRunner"/> — the same code paths as <c>cxdi validate</c> and <c>cxdi run</c>.
/// </summary>
/// <param name="catalog">Loaded plugins.</param>
/// <param name="currentDirectory">What relative paths are resolved against.</param>
/// <param name="backend">Compute backend id, or null for the default.</param>
/// <param name="commandLine">The command line, recorded in results.</param>
public sealed class TuiSession(PluginCatalog catalog, string currentDirectory, string? backend, string commandLine)
{
    private readonly WorkflowPlanner _planner = new(catalog);

    /// <summary>Loaded plugins.</summary>
    public PluginCatalog Catalog => catalog;

    /// <summary>What relative paths are resolved against.</summary>
    public string CurrentDirectory => currentDirectory;

    /// <summary>
    /// Workflow files to offer: <paramref name="path"/> itself (a file) or the YAML files in it (a directory), else those of the
    /// current directory and of <c>examples/</c> in it or in the nearest parent that has one.
    /// </summary>
    public IReadOnlyList<string> Discover(string? path)
    {
        var files = new List<string>();
        void AddDir(string dir)
        {
            if (Directory.Exists(dir))
            {
                files.AddRange(Directory.EnumerateFiles(dir, "*.yaml").Concat(Directory.EnumerateFiles(dir, "*.yml")).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
            }
        }

        if (path is not null)
        {
            var full = Path.GetFullPath(Path.Combine(currentDirectory, path));
            if (File.Exists(full))
            {
                files.Add(full);
            }
            else
            {
                AddDir(full);
                AddDir(Path.Combine(full, "examples"));
            }
        }
        else
        {
            AddDir(currentDirectory);
            for (var dir = new DirectoryInfo(currentDirectory); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "examples")))
                {
                    AddDir(Path.Combine(dir.FullName, "examples"));
                    break;
                }
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads and validates <paramref name="file"/> with the overrides <paramref name="sets"/> (<c>path.to.key=value</c>), like <c>cxdi validate</c>.</summary>
    public WorkflowInfo Describe(string file, IReadOnlyList<string> sets)
    {
        file = Path.GetFullPath(Path.Combine(currentDirectory, file));
        var problems = new List<Problem>();
        WorkflowPlan? plan = null;
        try
        {
            plan = _planner.Plan(new PlanRequest(file, sets, null, currentDirectory));
        }
        catch (WorkflowValidationException e)
        {
            problems.AddRange(e.Problems);
        }
        catch (CxdiException e)
        {
            problems.Add(new Problem(file, e.OneLine));
        }

        WorkflowDocument? doc = null;
        try
        {
            doc = WorkflowDocument.Load(file, sets, []);
        }
        catch (WorkflowValidationException)
        {
        }

        if (doc is null)
        {
            return new WorkflowInfo(file, Path.GetFileNameWithoutExtension(file), "", "?", [], "?", problems, null);
        }

        var input = doc.Input is { } i ? $"{i.Plugin.Use ?? "(detected)"}{(i.Path is { Length: > 0 } p ? " " + p : "")}" : "(none)";
        var steps = doc.Steps.Select(s => s.Id == s.Plugin.Use ? s.Id : $"{s.Id} ({s.Plugin.Use})").ToList();
        var output = $"{plan?.OutputDirectory ?? doc.OutputDirectory ?? "out/" + doc.Name}" +
            $" with {(doc.Writers is { Count: > 0 } w ? string.Join(", ", w.Select(x => x.Use)) : "the default writers")}";
        return new WorkflowInfo(file, doc.Name.Length > 0 ? doc.Name : Path.GetFileNameWithoutExtension(file), doc.Description, input, steps, output, problems, problems.Count == 0 ? plan : null);
    }

    /// <summary>
    /// Runs a validated plan like <c>cxdi run</c>, except that progress goes to <paramref name="progress"/> as
    /// <see cref="ProgressReport"/> objects instead of being printed; every other line the runner prints and
    /// every log message go to <paramref name="output"/>. Blocking: call it off the UI thread.
    /// </summary>
    public RunOutcome Run(WorkflowPlan plan, TextWriter output, IProgress<ProgressReport> progress, CancellationToken cancellation)
    {
        using var loggers = LoggerFactory.Create(b => b.ClearProviders().AddProvider(new TextWriterLoggerProvider(output, output, verbose: false)).SetMinimumLevel(LogLevel.Warning));
        var runner = new WorkflowRunner(new RunEnvironment(catalog, loggers, output, output, commandLine, backend, Verbose: false) { Progress = progress, Overwrite = true });
        return runner.Run(plan, RunMode.Full, cancellation);
    }
}
