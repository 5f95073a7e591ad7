using System.CommandLine;
using Cxdi.Host.Execution;
using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Cli;

/// <summary>
/// The <c>cxdi</c> command line: <c>run</c>, <c>validate</c>, <c>check</c>, <c>plugins</c>, <c>inspect</c>, one sub-command per
/// <see cref="ICliTool"/> plugin, <c>--version</c> and <c>--help</c>. Exit codes: 0 success, 1 run failed, 2 usage or bad input,
/// 130 cancelled. Every user error is one line on stderr.
/// </summary>
public static class Cli
{
    /// <summary>Runs the command line in-process against the real process environment.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation) =>
        RunAsync(args, stdout, stderr, CliEnvironment.FromProcess(), cancellation);

    /// <summary>Runs the command line in-process; <paramref name="environment"/> replaces the process environment (for tests).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--version"])
        {
            stdout.WriteLine(VersionLine);
            return 0;
        }

        var verbose = args.Contains("--verbose");
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.ClearProviders()
            .AddProvider(new TextWriterLoggerProvider(stdout, stderr, verbose))
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.None));
        services.AddSingleton(environment);
        services.AddSingleton(sp => PluginCatalog.Load(PluginSources(args, environment), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<WorkflowPlanner>();
        await using var provider = services.BuildServiceProvider();

        PluginCatalog catalog;
        try
        {
            catalog = provider.GetRequiredService<PluginCatalog>();
        }
        catch (CxdiException e)
        {
            stderr.WriteLine($"cxdi: error: {e.OneLine}");
            if (verbose && e.InnerException is { } inner)
            {
                stderr.WriteLine(inner.ToString());
            }

            return 2;
        }

        foreach (var warning in catalog.Warnings)
        {
            stderr.WriteLine($"cxdi: warning: {warning}");
        }

        var context = new CommandContext(provider, catalog, environment, stdout, stderr, verbose, "cxdi " + string.Join(' ', args.Select(Quote)));
        var root = BuildCommands(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"cxdi: error: {string.Join("; ", parse.Errors.Select(e => e.Message))}{catalog.FailureNote} (see cxdi --help)");
            return 2;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(config, cancellation).ConfigureAwait(false);
    }

    /// <summary>The <c>--version</c> line.</summary>
    public static string VersionLine => $"cxdi {Versions.Software} (Cxdi.Sdk {Versions.Sdk})";

    /// <summary>Plugin folders to load: the built-in folder, each <c>--plugins DIR</c> (strict), each entry of <c>CXDI_PLUGIN_PATH</c> (a folder that fails to load is a warning).</summary>
    public static IEnumerable<PluginSource> PluginSources(IReadOnlyList<string> args, CliEnvironment environment)
    {
        if (environment.BuiltInPluginDirectory is { } builtIn)
        {
            yield return new PluginSource(builtIn, GivenByUser: false);
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                break;
            }

            string? value = null;
            if (args[i] == "--plugins" && i + 1 < args.Count)
            {
                value = args[++i];
            }
            else if (args[i].StartsWith("--plugins=", StringComparison.Ordinal) || args[i].StartsWith("--plugins:", StringComparison.Ordinal))
            {
                value = args[i]["--plugins=".Length..];
            }

            if (value is not null)
            {
                yield return new PluginSource(Path.GetFullPath(Path.Combine(environment.CurrentDirectory, value)), GivenByUser: true);
            }
        }

        if (environment.Variable(CliEnvironment.PluginPathVariable) is { } list)
        {
            foreach (var entry in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return new PluginSource(Path.GetFullPath(Path.Combine(environment.CurrentDirectory, entry)), GivenByUser: true, WarnOnly: true);
            }
        }
    }

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static RootCommand BuildCommands(CommandContext ctx)
    {
        var pluginsOption = new Option<string[]>("--plugins")
        {
            Description = "Also load plugins from DIR (a plugin folder or a directory of plugin folders); repeatable",
            Recursive = true,
            HelpName = "DIR",
        };
        var verboseOption = new Option<bool>("--verbose") { Description = "Log more, and print stack traces of plugin bugs", Recursive = true };
        var versionOption = new Option<bool>("--version") { Description = "Show the version of cxdi and of its SDK" };

        var root = new RootCommand("Cxdi Workbench: coherent X-ray diffraction imaging from the command line");
        root.Options.Remove(root.Options.OfType<VersionOption>().Single());
        root.Options.Add(pluginsOption);
        root.Options.Add(verboseOption);
        root.Options.Add(versionOption);
        root.SetAction(parse =>
        {
            if (parse.GetValue(versionOption))
            {
                ctx.Out.WriteLine(VersionLine);
                return 0;
            }

            root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error });
            return 2;
        });

        var setOption = new Option<string[]>("--set")
        {
            Description = "Override a workflow value: path.to.key=value (e.g. steps.phase.with.runs=3, input.path=x.edf, output.directory=out2); repeatable",
            HelpName = "KEY=VALUE",
        };
        var flowArgument = new Argument<string>("FLOW") { Description = "Workflow file (.yaml)" };

        var outOption = new Option<string?>("--out") { Description = "Output directory (default: output.directory of the workflow, else out/<name>)", HelpName = "DIR" };
        var backendOption = new Option<string?>("--backend") { Description = "Compute backend id (default: CXDI_BACKEND, else the best available)", HelpName = "ID" };
        var overwriteOption = new Option<bool>("--overwrite") { Description = "Replace the results of an earlier run in the output directory (only files cxdi wrote: summary.json, run_NN.*, result.*); without it such a folder is refused" };
        var run = new Command("run", "Validate and run a workflow: input, steps, writers and summary.json")
        {
            flowArgument, outOption, setOption, backendOption, overwriteOption,
        };
        run.SetAction((parse, token) => Commands.RunAsync(ctx, parse.GetValue(flowArgument)!, parse.GetValue(setOption) ?? [], parse.GetValue(outOption), parse.GetValue(backendOption), parse.GetValue(overwriteOption), token));
        root.Subcommands.Add(run);

        var validate = new Command("validate", "Check a workflow completely (ids, options, shapes, backend) without reading data beyond headers")
        {
            flowArgument, setOption, backendOption,
        };
        validate.SetAction((parse, token) => Commands.ValidateAsync(ctx, parse.GetValue(flowArgument)!, parse.GetValue(setOption) ?? [], parse.GetValue(backendOption), token));
        root.Subcommands.Add(validate);

        var check = new Command("check", "Run the input and the steps before the first phaser, then the cxdi.guardrails analysis, and print its findings")
        {
            flowArgument, setOption,
        };
        check.SetAction((parse, token) => Commands.CheckAsync(ctx, parse.GetValue(flowArgument)!, parse.GetValue(setOption) ?? [], token));
        root.Subcommands.Add(check);

        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var plugins = new Command("plugins", "List the loaded plugins: id, version, role, description, folder") { jsonOption };
        plugins.SetAction(parse => Commands.Plugins(ctx, parse.GetValue(jsonOption)));
        root.Subcommands.Add(plugins);

        var fileArgument = new Argument<string>("FILE") { Description = "Data file, or file.h5:/inner/path" };
        var readerOption = new Option<string?>("--reader") { Description = "Reader id (default: detected by content)", HelpName = "ID" };
        var inspect = new Command("inspect", "Read a data file and print its format, shape, statistics, mask, geometry and metadata")
        {
            fileArgument, jsonOption, readerOption,
        };
        inspect.SetAction((parse, token) => Commands.InspectAsync(ctx, parse.GetValue(fileArgument)!, parse.GetValue(readerOption), parse.GetValue(jsonOption), token));
        root.Subcommands.Add(inspect);
        root.Subcommands.Add(Tui.TuiCommand.Create(ctx));
        SubmitCommand.Add(root, ctx, pluginsOption, setOption, backendOption); // cxdi submit / status (SLURM)

        foreach (var descriptor in ctx.Catalog.OfRole(PluginRole.CliTool))
        {
            AddTool(root, ctx, descriptor);
        }

        return root;
    }

    private static void AddTool(RootCommand root, CommandContext ctx, PluginDescriptor descriptor)
    {
        ICliTool tool;
        string name;
        try
        {
            tool = (ICliTool)PluginCatalog.Create(descriptor);
            name = PluginGuard.Call(descriptor.Id, () => tool.Command);
        }
        catch (CxdiException e)
        {
            ctx.Error.WriteLine($"cxdi: warning: {e.OneLine}; its command is not available");
            return;
        }

        if (string.IsNullOrWhiteSpace(name) || root.Subcommands.Any(c => c.Name == name))
        {
            ctx.Error.WriteLine($"cxdi: warning: plugin {descriptor.Id} ({descriptor.AssemblyFile}) asks for command '{name}', which is taken or invalid; skipped");
            return;
        }

        var command = new Command(name, $"{descriptor.Description} [{descriptor.Id} {descriptor.Version}]");
        var options = new List<(OptionSpec Spec, Option<string?> Option)>();
        foreach (var spec in OptionsBinder.Describe(descriptor.OptionsType))
        {
            var isBool = (Nullable.GetUnderlyingType(spec.Property.PropertyType) ?? spec.Property.PropertyType) == typeof(bool);
            var isList = IsList(spec.Property.PropertyType);
            var help = spec.Description;
            if (spec.Unit is { } unit)
            {
                help += $" [{unit}]";
            }

            help += $" ({spec.TypeName}; default {Commands.Show(spec.Default)})";
            var option = new Option<string?>("--" + Naming.ToKebabCase(spec.Key))
            {
                Description = help.Trim(),
                Arity = isBool ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
                HelpName = isBool ? null : isList ? $"{spec.Key.ToUpperInvariant()},…" : spec.Key.ToUpperInvariant(),
            };
            command.Options.Add(option);
            options.Add((spec, option));
        }

        var outOption = new Option<string?>("--out") { Description = "Directory for the files the tool writes (with the cxdi.cxi writer)", HelpName = "DIR" };
        if (PluginGuard.Call(descriptor.Id, () => tool.WritesOutput) && !options.Any(o => o.Option.Name == "--out"))
        {
            command.Options.Add(outOption);
        }

        command.SetAction((parse, token) =>
        {
            var map = new SourceMap(name, commandLine: true);
            var with = new YamlMappingNode();
            foreach (var (spec, option) in options)
            {
                if (parse.GetResult(option) is null)
                {
                    continue;
                }

                var text = parse.GetValue(option) ?? "true";
                var node = IsList(spec.Property.PropertyType) ? ParseList(text) : OptionsBinder.ParseValue(text);
                map.MarkOrigin(node, $"{option.Name} {text}");
                var key = new YamlScalarNode(spec.Key);
                map.MarkOrigin(key, option.Name);
                with.Add(key, node);
            }

            var outDir = command.Options.Contains(outOption) ? parse.GetValue(outOption) : null;
            return Commands.ToolAsync(ctx, descriptor, tool, with, map, outDir, token);
        });
        root.Subcommands.Add(command);
    }

    /// <summary>True for option types given as lists (arrays and collections, not text).</summary>
    private static bool IsList(Type type) =>
        type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && !typeof(System.Collections.IDictionary).IsAssignableFrom(type);

    /// <summary>A list option's value: YAML flow text (<c>[21, -47]</c>) as it is, else comma-separated items (<c>21,-47</c>), each parsed as a YAML scalar.</summary>
    private static YamlNode ParseList(string text)
    {
        if (text.TrimStart().StartsWith('['))
        {
            return OptionsBinder.ParseValue(text);
        }

        var list = new YamlSequenceNode();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            list.Add(OptionsBinder.ParseValue(item));
        }

        return list;
    }
}

/// <summary>What every command action needs.</summary>
/// <param name="Services">The composition root.</param>
/// <param name="Catalog">Loaded plugins.</param>
/// <param name="Environment">Current directory and environment variables.</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Verbose"><c>--verbose</c>.</param>
/// <param name="CommandLine">The command line as typed.</param>
public sealed record CommandContext(IServiceProvider Services, PluginCatalog Catalog, CliEnvironment Environment, TextWriter Out, TextWriter Error, bool Verbose, string CommandLine)
{
    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory => Services.GetRequiredService<ILoggerFactory>();

    /// <summary>The run environment for <see cref="WorkflowRunner"/>.</summary>
    public RunEnvironment RunEnvironment(string? backend) =>
        new(Catalog, LoggerFactory, Out, Error, CommandLine, backend ?? Environment.Variable(CliEnvironment.BackendVariable), Verbose);

    /// <summary>A step context for commands outside workflows.</summary>
    public StepContext StepContext(string stepId, CancellationToken cancellation, IOutputSink? output = null) => new()
    {
        Cancellation = cancellation,
        Progress = new ConsoleProgress(Out),
        Logger = LoggerFactory.CreateLogger(stepId),
        StepId = stepId,
        Output = output,
        Plugins = new PluginResolver(Catalog, Environment.Variable(CliEnvironment.BackendVariable)),
        Backend = Environment.Variable(CliEnvironment.BackendVariable),
        Run = new RunInfo(CommandLine, Versions.Software, ""),
    };
}
