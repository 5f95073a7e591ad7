using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cxdi.Host.Execution;
using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Cli;

/// <summary>The actions of the built-in sub-commands; each returns the process exit code and reports user errors as single lines.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Task<int> RunAsync(CommandContext ctx, string flow, string[] sets, string? outDir, string? backend, bool overwrite, CancellationToken token) =>
        Guard(ctx, async () =>
        {
            CheckBackend(ctx, backend);
            var plan = Planner(ctx).Plan(new PlanRequest(flow, sets, outDir, ctx.Environment.CurrentDirectory));
            var runner = new WorkflowRunner(ctx.RunEnvironment(backend) with { Overwrite = overwrite });
            var outcome = await Task.Run(() => runner.Run(plan, RunMode.Full, token), CancellationToken.None).ConfigureAwait(false);
            return outcome.ExitCode;
        });

    public static Task<int> ValidateAsync(CommandContext ctx, string flow, string[] sets, string? backend, CancellationToken token) =>
        Guard(ctx, () =>
        {
            token.ThrowIfCancellationRequested();
            CheckBackend(ctx, backend);
            var plan = Planner(ctx).Plan(new PlanRequest(flow, sets, null, ctx.Environment.CurrentDirectory));
            var o = ctx.Out;
            o.WriteLine($"{flow}: valid");
            var source = plan.Source.File.Length > 0 ? $" {plan.Source}" : "";
            o.WriteLine($"  input  {plan.Input.Descriptor.Id}{source} -> {plan.Specs[0]}");
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                var spec = plan.Specs.Count > i + 1 ? plan.Specs[i + 1].ToString() : "?";
                o.WriteLine($"  step   {plan.Steps[i].StepId} ({plan.Steps[i].Descriptor.Id}) -> {spec}");
            }

            o.WriteLine($"  output {plan.OutputDirectory} with {(plan.Writers.Count == 0 ? "no writer" : string.Join(", ", plan.Writers.Select(w => w.Descriptor.Id)))}");
            return Task.FromResult(0);
        });

    public static Task<int> CheckAsync(CommandContext ctx, string flow, string[] sets, CancellationToken token) =>
        Guard(ctx, async () =>
        {
            var plan = Planner(ctx).Plan(new PlanRequest(flow, sets, null, ctx.Environment.CurrentDirectory));
            if (ctx.Catalog.Find(WorkflowRunner.GuardrailsId, PluginRole.Analysis) is null)
            {
                ctx.Out.WriteLine($"note: {WorkflowRunner.GuardrailsId} is not loaded; only the input and preprocessing steps are checked");
            }

            var runner = new WorkflowRunner(ctx.RunEnvironment(null));
            var outcome = await Task.Run(() => runner.Run(plan, RunMode.Check, token), CancellationToken.None).ConfigureAwait(false);
            if (outcome is { ExitCode: 0, Result: DiffractionData data })
            {
                ctx.Out.WriteLine($"{flow}: data {data.Shape}, {Inspector.Measured(data)} of {data.Shape.Length} pixels measured; ready for phasing");
            }

            return outcome.ExitCode;
        });

    public static int Plugins(CommandContext ctx, bool json)
    {
        var plugins = ctx.Catalog.Plugins.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        if (json)
        {
            var list = plugins.Select(p => new Dictionary<string, object?>
            {
                ["id"] = p.Id,
                ["version"] = p.Version,
                ["role"] = p.RoleName,
                ["description"] = p.Description,
                ["folder"] = p.Folder,
                ["assembly"] = p.AssemblyFile,
                ["options"] = OptionsBinder.Describe(p.OptionsType).Select(o => new Dictionary<string, object?>
                {
                    ["key"] = o.Key,
                    ["type"] = o.TypeName,
                    ["default"] = o.Default,
                    ["unit"] = o.Unit,
                    ["description"] = o.Description,
                }).ToList(),
            }).ToList<object>();
            foreach (var (entry, p) in list.Cast<Dictionary<string, object?>>().Zip(plugins).Where(e => e.Second.Role == PluginRole.Backend))
            {
                // Compute backends say whether they can run here, and why not (no GPU, no library).
                var reason = BackendAvailability.Reason(p);
                entry["available"] = reason is null;
                entry["unavailable_reason"] = reason;
            }

            list.AddRange(ctx.Catalog.Operators.Operators.OrderBy(o => o.Name, StringComparer.OrdinalIgnoreCase).Select(o => new Dictionary<string, object?>
            {
                ["id"] = o.Name,
                ["role"] = "operator",
                ["description"] = o.Description,
                ["assembly"] = o.OperatorType.Assembly.Location,
                ["type"] = o.OperatorType.FullName,
                ["cycles"] = o.Cycles,
                ["parameters"] = o.Parameters.Select(p => new Dictionary<string, object?>
                {
                    ["name"] = p.Name,
                    ["type"] = p.Type.Name.ToLowerInvariant() switch { "single" => "float", "int32" => "int", "boolean" => "bool", var t => t },
                    ["default"] = p.Default,
                    ["min"] = p.Minimum,
                    ["max"] = p.Maximum,
                    ["description"] = p.Description,
                }).ToList(),
            }));
            ctx.Out.WriteLine(JsonSerializer.Serialize(list, Json));
            return 0;
        }

        if (plugins.Count == 0)
        {
            ctx.Out.WriteLine("no plugins loaded (add folders with --plugins DIR or CXDI_PLUGIN_PATH)");
            return 0;
        }

        var idWidth = Math.Max(2, plugins.Max(p => p.Id.Length));
        var versionWidth = Math.Max(7, plugins.Max(p => p.Version.Length));
        var roleWidth = Math.Max(4, plugins.Max(p => p.RoleName.Length));
        ctx.Out.WriteLine($"{"ID".PadRight(idWidth)}  {"VERSION".PadRight(versionWidth)}  {"ROLE".PadRight(roleWidth)}  DESCRIPTION  [FOLDER]");
        foreach (var p in plugins)
        {
            // A compute backend this machine cannot run says why (no GPU, no library) after its description.
            var unavailable = p.Role == PluginRole.Backend && BackendAvailability.Reason(p) is { } reason ? $" (not available here: {reason[(reason.IndexOf(": ", StringComparison.Ordinal) + 2)..]})" : "";
            ctx.Out.WriteLine($"{p.Id.PadRight(idWidth)}  {p.Version.PadRight(versionWidth)}  {p.RoleName.PadRight(roleWidth)}  {p.Description}{unavailable}  [{p.Folder}]");
        }

        if (ctx.Catalog.Operators.Operators.Count > 0)
        {
            ctx.Out.WriteLine();
            ctx.Out.WriteLine("phasing operators (use in cxdi.phase operators, e.g. \"HIO(beta=0.7)**50\"):");
            var signatures = ctx.Catalog.Operators.Operators.Select(o => (Operator: o, Signature: o.Parameters.Count == 0 ? o.Name : $"{o.Name}({string.Join(", ", o.Parameters.Select(p => $"{p.Name}={p.Default}"))})")).ToList();
            var width = signatures.Max(s => s.Signature.Length);
            foreach (var (o, signature) in signatures)
            {
                ctx.Out.WriteLine($"  {signature.PadRight(width)}  {o.Description}");
            }
        }

        return 0;
    }

    public static Task<int> InspectAsync(CommandContext ctx, string file, string? readerId, bool json, CancellationToken token) =>
        Guard(ctx, async () =>
        {
            var report = await Task.Run(() => Inspector.Inspect(ctx, Planner(ctx), file, readerId, token), CancellationToken.None).ConfigureAwait(false);
            if (json)
            {
                ctx.Out.WriteLine(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                Inspector.Print(ctx.Out, report);
            }

            return 0;
        });

    public static Task<int> ToolAsync(CommandContext ctx, PluginDescriptor descriptor, ICliTool tool, YamlMappingNode with, SourceMap map, string? outDir, CancellationToken token) =>
        Guard(ctx, async () =>
        {
            var problems = new List<Problem>();
            var bound = OptionsBinder.Bind(descriptor.Id, descriptor.OptionsType, with, null, map, problems, ctx.Catalog.OptionsContext);
            if (bound is null)
            {
                foreach (var p in problems)
                {
                    ctx.Error.WriteLine($"cxdi: error: {p}");
                }

                return 2;
            }

            OutputSink? sink = null;
            if (outDir is { Length: > 0 })
            {
                var directory = Path.GetFullPath(Path.Combine(ctx.Environment.CurrentDirectory, outDir));
                if (File.Exists(directory))
                {
                    throw new UsageException($"--out {outDir}: output directory {directory} is a file, not a directory", "give the path of a folder for the files");
                }

                var writers = new List<PlannedPlugin>();
                if (ctx.Catalog.Find("cxdi.cxi", PluginRole.Writer) is { } cxi)
                {
                    var writerProblems = new List<Problem>();
                    var writerOptions = OptionsBinder.Bind(cxi.Id, cxi.OptionsType, null, null, map, writerProblems)!;
                    writers.Add(new PlannedPlugin(cxi.Id, cxi, PluginCatalog.Create(cxi), writerOptions, "--out"));
                }
                else
                {
                    ctx.Error.WriteLine("cxdi: warning: the cxdi.cxi writer is not loaded; --out writes nothing");
                }

                sink = new OutputSink(directory, writers, () => ctx.StepContext(descriptor.Id, token));
            }

            var context = ctx.StepContext(descriptor.Id, token, sink);
            return await Task.Run(() => PluginGuard.Call(descriptor.Id, () => tool.Run(bound.Options, ctx.Out, context)), CancellationToken.None).ConfigureAwait(false);
        });

    /// <summary>A value in YAML-like text for help.</summary>
    public static string Show(object? value) => value switch
    {
        null => "none",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Refuses an unknown compute backend (<c>--backend</c>, else <c>CXDI_BACKEND</c>) before anything runs, naming the loaded ones.</summary>
    internal static void CheckBackend(CommandContext ctx, string? backend)
    {
        var wanted = backend ?? ctx.Environment.Variable(CliEnvironment.BackendVariable);
        if (wanted is not { Length: > 0 })
        {
            return;
        }

        var providers = ctx.Catalog.OfRole(PluginRole.Backend).ToList();
        if (PluginResolver.MatchBackend(providers, wanted) is not null)
        {
            // Known but perhaps not runnable here (a GPU backend without a GPU): refused now, with the provider's reason.
            if (BackendAvailability.Unavailable(ctx.Catalog, wanted) is { } reason)
            {
                var option = backend is null ? $"{CliEnvironment.BackendVariable}={wanted}" : $"--backend {wanted}";
                throw new UsageException($"{option}: {reason}", "choose another with --backend or CXDI_BACKEND");
            }

            return;
        }

        var given = backend is null ? $"{CliEnvironment.BackendVariable}={wanted}" : $"--backend {wanted}";
        var available = providers.Count == 0 ? "no compute backend plugin is loaded" : $"available: {string.Join(", ", providers.Select(p => p.Id))}";
        throw new UsageException($"{given}: unknown compute backend '{wanted}'{Naming.Suggest(wanted, providers.Select(p => p.Id))}{ctx.Catalog.FailureNote}", available);
    }

    internal static WorkflowPlanner Planner(CommandContext ctx) => ctx.Services.GetRequiredService<WorkflowPlanner>();

    /// <summary>Maps every failure of a command to an exit code and one line on stderr (a line per problem for workflows).</summary>
    internal static async Task<int> Guard(CommandContext ctx, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (WorkflowValidationException e)
        {
            foreach (var problem in e.Problems)
            {
                ctx.Error.WriteLine(problem.ToString());
            }

            return 2;
        }
        catch (OperationCanceledException)
        {
            ctx.Error.WriteLine("cxdi: cancelled");
            return WorkflowRunner.CancelledExitCode;
        }
        catch (CxdiException e)
        {
            ctx.Error.WriteLine($"cxdi: error: {e.OneLine}");
            if (ctx.Verbose && e.InnerException is { } inner)
            {
                ctx.Error.WriteLine(inner.ToString());
            }

            return e.IsInputError ? 2 : 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Error.WriteLine($"cxdi: error: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"cxdi: internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            if (ctx.Verbose)
            {
                ctx.Error.WriteLine(e.ToString());
            }

            return 1;
        }
    }
}
