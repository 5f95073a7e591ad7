using Cxdi.Host.Execution;
using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Cxdi.Host.Workflows;

/// <summary>How to plan a workflow.</summary>
/// <param name="File">The workflow file (relative to <paramref name="CurrentDirectory"/>).</param>
/// <param name="Sets"><c>--set</c> overrides.</param>
/// <param name="OutOverride"><c>--out</c>, or null.</param>
/// <param name="CurrentDirectory">What command-line paths are relative to.</param>
public sealed record PlanRequest(string File, IReadOnlyList<string> Sets, string? OutOverride, string CurrentDirectory);

/// <summary>
/// Validates a workflow completely and dry-runs it: ids exist and have the right role, options bind strictly, the input
/// is probed and each step's <c>Plan</c> accepts what the previous one declares. Every problem is reported at once.
/// </summary>
public sealed class WorkflowPlanner(PluginCatalog catalog)
{
    /// <summary>Roles allowed in <c>steps:</c>.</summary>
    private static readonly PluginRole[] StepRoles = [PluginRole.Preprocessor, PluginRole.SupportFinder, PluginRole.Phaser, PluginRole.Denoiser, PluginRole.Analysis];

    /// <summary>Plans <paramref name="request"/>; throws <see cref="WorkflowValidationException"/> listing every problem.</summary>
    public WorkflowPlan Plan(PlanRequest request)
    {
        var file = Path.GetFullPath(Path.Combine(request.CurrentDirectory, request.File));
        if (Directory.Exists(file))
        {
            throw new UsageException($"{request.File} is a directory, not a workflow file", "give the path of a .yaml file");
        }

        if (!File.Exists(file))
        {
            throw new UsageException($"workflow file {request.File} not found");
        }

        var problems = new List<Problem>();
        var doc = WorkflowDocument.Load(file, request.Sets, problems);
        var map = doc.Map;
        var specs = new List<DataSpec>();

        // Input.
        PlannedPlugin? input = null;
        DataPath source = new("");
        DataSpec? spec = null;
        if (doc.Input is { } inp)
        {
            string? absolute = null;
            var fileProblem = false;
            if (inp.Path is { Length: > 0 } path)
            {
                var baseDir = map.IsFromCommandLine(inp.PathNode) ? request.CurrentDirectory : doc.BaseDirectory;
                source = DataPath.Parse(Path.GetFullPath(Path.Combine(baseDir, path)));
                absolute = source.File;
                if (Directory.Exists(absolute))
                {
                    problems.Add(map.Problem(inp.PathNode, $"input {path} is a directory, not a file"));
                    fileProblem = true;
                }
                else if (!File.Exists(absolute))
                {
                    problems.Add(map.Problem(inp.PathNode, $"input file {path} not found (looked at {absolute})"));
                    fileProblem = true;
                }
            }

            PluginDescriptor? reader = null;
            if (inp.Plugin.Use is { } use)
            {
                reader = Lookup(use, inp.Plugin.UseNode ?? inp.Plugin.Node, [PluginRole.Reader], "the input", map, problems);
            }
            else if (absolute is null)
            {
                problems.Add(map.Problem(inp.Plugin.Node, "input needs 'use: <reader id>' or 'path: <file>'"));
            }
            else if (!fileProblem)
            {
                reader = Detect(absolute, out var detectError);
                if (reader is null)
                {
                    problems.Add(map.Problem(inp.PathNode, detectError));
                }
            }

            if (reader is not null)
            {
                var where = map.Where(inp.Plugin.UseNode, inp.Plugin.Node);
                input = Create(reader, "input", inp.Plugin, where, map, problems);
                if (input is not null && absolute is null && RequiresFile(input.Plugin))
                {
                    problems.Add(map.Problem(inp.Plugin.Node, $"reader {reader.Id} reads a file: add 'path: <file>' to the input"));
                    input = null;
                }

                if (input is not null && !fileProblem)
                {
                    spec = DryRun(input, map, inp.PathNode ?? inp.Plugin.UseNode, problems, () => ((IDataReader)input.Plugin).Probe(source, input.Options.Options));
                    if (spec is not null)
                    {
                        specs.Add(spec);
                    }
                }
            }
        }

        // Steps.
        var steps = new List<PlannedPlugin>();
        foreach (var step in doc.Steps)
        {
            if (step.Plugin.Use is not { } use)
            {
                spec = null;
                continue;
            }

            var descriptor = Lookup(use, step.Plugin.UseNode ?? step.Plugin.Node, StepRoles, $"step '{step.Id}'", map, problems);
            var planned = descriptor is null ? null : Create(descriptor, step.Id, step.Plugin, map.Where(step.Plugin.UseNode, step.Plugin.Node), map, problems);
            if (planned is null)
            {
                spec = null;
                continue;
            }

            steps.Add(planned);
            if (spec is null)
            {
                continue;
            }

            var current = spec;
            var reader = input?.Descriptor;
            spec = DryRun(planned, map, step.Plugin.UseNode, problems, () =>
            {
                if (planned.Plugin is IPhaser { TakesFrameStack: false })
                {
                    CheckPhaserInput(current, reader);
                }

                return PlanStep(planned, current);
            });
            if (spec is not null)
            {
                specs.Add(spec);
            }
        }

        // Output.
        var writers = new List<PlannedPlugin>();
        if (doc.Writers is { } uses)
        {
            foreach (var w in uses)
            {
                if (w.Use is not { } use)
                {
                    continue;
                }

                var descriptor = Lookup(use, w.UseNode ?? w.Node, [PluginRole.Writer], "output.writers", map, problems);
                if (descriptor is not null && Create(descriptor, use, w, map.Where(w.UseNode, w.Node), map, problems) is { } planned)
                {
                    writers.Add(planned);
                }
            }
        }
        else if (catalog.Find("cxdi.cxi", PluginRole.Writer) is { } cxi && Create(cxi, cxi.Id, new PluginUse(cxi.Id, null, null, doc.OutputNode), map.Where(doc.OutputNode), map, problems) is { } defaultWriter)
        {
            writers.Add(defaultWriter);
        }

        string outputDirectory;
        if (request.OutOverride is { Length: > 0 } outDir)
        {
            outputDirectory = Path.GetFullPath(Path.Combine(request.CurrentDirectory, outDir));
        }
        else if (doc.OutputDirectory is { Length: > 0 } dir)
        {
            var baseDir = map.IsFromCommandLine(doc.OutputDirectoryNode) ? request.CurrentDirectory : doc.BaseDirectory;
            outputDirectory = Path.GetFullPath(Path.Combine(baseDir, dir));
        }
        else
        {
            outputDirectory = Path.GetFullPath(Path.Combine(request.CurrentDirectory, "out", doc.Name));
        }

        if (File.Exists(outputDirectory))
        {
            const string What = "is a file, not a directory (give the path of a folder for the results)";
            problems.Add(request.OutOverride is { Length: > 0 } given
                ? new Problem($"--out {given}", $"output directory {outputDirectory} {What}")
                : map.Problem(doc.OutputDirectoryNode, $"output directory {outputDirectory} {What}", doc.OutputNode));
        }

        if (problems.Count > 0 || input is null)
        {
            throw new WorkflowValidationException(problems.Count > 0 ? problems : [new Problem($"{file}:1:1", "the workflow has no usable input")]);
        }

        return new WorkflowPlan
        {
            Document = doc,
            Input = input,
            Source = source,
            Specs = specs,
            Steps = steps,
            Writers = writers,
            OutputDirectory = outputDirectory,
            ResolvedYaml = ResolvedYaml(doc, input, source, steps, writers, outputDirectory),
        };
    }

    /// <summary>The reader that recognises <paramref name="file"/> by its first 4 KiB, or null with a message.</summary>
    public PluginDescriptor? Detect(string file, out string error)
    {
        byte[] head;
        try
        {
            using var stream = File.OpenRead(file);
            head = new byte[(int)Math.Min(4096, stream.Length)];
            stream.ReadExactly(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read {file}: {e.Message}";
            return null;
        }

        var readers = catalog.OfRole(PluginRole.Reader).ToList();
        foreach (var reader in readers)
        {
            var instance = (IDataReader)PluginCatalog.Create(reader);
            bool accepts;
            try
            {
                accepts = PluginGuard.Call(reader.Id, () => instance.CanRead(file, head));
            }
            catch (CxdiException)
            {
                accepts = false;
            }

            if (accepts)
            {
                error = "";
                return reader;
            }
        }

        error = readers.Count == 0
            ? $"no reader plugin is loaded to read {Path.GetFileName(file)}"
            : $"no reader recognises {Path.GetFileName(file)} (loaded readers: {string.Join(", ", readers.Select(r => r.Id))}); name one with 'use:'";
        return null;
    }

    /// <summary>True unless the reader says it generates data (<c>RequiresFile</c> false on <see cref="DataReaderBase{TOptions}"/>).</summary>
    public static bool RequiresFile(IPlugin reader) =>
        reader.GetType().GetProperty("RequiresFile")?.GetValue(reader) is not false;

    /// <summary>The output spec of a step for an input spec (the dry run of one step).</summary>
    public static DataSpec PlanStep(PlannedPlugin step, DataSpec input)
    {
        var options = step.Options.Options;
        switch (step.Plugin)
        {
            case IPreprocessor p:
                return p.Plan(input, options);
            case IPhaser p:
                return p.Plan(input, options);
            case ISupportFinder or IDenoiser:
                WorkflowShapeException.ThrowUnlessDetector(input);
                return input;
            case IAnalysis a:
                if (!a.Accepts(input))
                {
                    throw new WorkflowShapeException($"{step.Descriptor.Id} does not accept {input}");
                }

                return input;
            default:
                throw new WorkflowShapeException($"{step.Descriptor.Id} is a {step.Descriptor.RoleName}, which cannot be a step");
        }
    }

    /// <summary>Fewest frames along z for a 3D array to be phased as a 3D pattern rather than taken for a stack of 2D frames.</summary>
    public const int MinimumFramesFor3D = 8;

    /// <summary>
    /// What every phaser needs, checked in the dry run before the phaser's own <c>Plan</c>: a 2D or 3D array with at least
    /// 2 pixels along every axis, and, in 3D, at least <see cref="MinimumFramesFor3D"/> frames (fewer is a stack of 2D
    /// frames read as 3D: the hint names <c>cxdi.frames.sum</c> and the reader's frame options, when they exist).
    /// </summary>
    private void CheckPhaserInput(DataSpec input, PluginDescriptor? reader)
    {
        var shape = input.Shape;
        if (shape.Rank is not (2 or 3) || shape.Dimensions.Any(n => n < 2))
        {
            throw new WorkflowShapeException($"a {shape} array is too small to phase: phase retrieval needs a 2D or 3D array of at least 2 pixels along every axis", "check the input, and any crop or bin step before the phaser");
        }

        if (shape.Is3D && shape.Nz < MinimumFramesFor3D)
        {
            var fixes = new List<string>();
            if (catalog.Find("cxdi.frames.sum", PluginRole.Preprocessor) is not null)
            {
                fixes.Add("add a 'use: cxdi.frames.sum' step before the phaser");
            }

            HashSet<string> keys = reader is null ? [] : OptionsBinder.Describe(reader.OptionsType).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            if (keys.Contains("sum_frames"))
            {
                fixes.Add($"set 'sum_frames: true' in the {reader!.Id} input options");
            }

            if (keys.Contains("frame_count"))
            {
                fixes.Add($"read one frame with 'frame_count: 1'{(keys.Contains("first_frame") ? " (and 'first_frame')" : "")} in the input options");
            }

            var hint = fixes.Count > 0 ? string.Join(", or ", fixes) : "reduce the stack to one 2D pattern before the phaser ('cxdi plugins' lists the steps)";
            throw new WorkflowShapeException($"a {shape} array has only {shape.Nz} frames along z: that is a stack of 2D frames, not a 3D pattern to phase (3D needs at least {MinimumFramesFor3D})", hint);
        }
    }

    private static DataSpec? DryRun(PlannedPlugin plugin, SourceMap map, YamlNode? node, List<Problem> problems, Func<DataSpec> plan)
    {
        try
        {
            var result = PluginGuard.Call(plugin.Descriptor.Id, plan);
            if (result is null)
            {
                problems.Add(map.Problem(node, $"internal error in plugin {plugin.Descriptor.Id}: its dry run returned nothing"));
            }

            return result;
        }
        catch (CxdiException e)
        {
            problems.Add(map.Problem(node, e is PluginFaultException ? e.Message : $"{plugin.Descriptor.Id}: {e.OneLine}"));
            return null;
        }
    }

    private PluginDescriptor? Lookup(string id, YamlNode node, IReadOnlyList<PluginRole> roles, string what, SourceMap map, List<Problem> problems)
    {
        var candidates = catalog.FindAll(id);
        if (candidates.Count == 0)
        {
            var sameRole = catalog.Plugins.Where(p => roles.Contains(p.Role)).Select(p => p.Id).ToList();
            var suggestion = Naming.Suggest(id, sameRole.Count > 0 ? sameRole : catalog.Plugins.Select(p => p.Id));
            problems.Add(map.Problem(node, $"unknown plugin '{id}'{suggestion} ('cxdi plugins' lists the loaded ones){catalog.FailureNote}"));
            return null;
        }

        var descriptor = candidates.FirstOrDefault(p => roles.Contains(p.Role)) ?? candidates[0];
        if (!roles.Contains(descriptor.Role))
        {
            var expected = string.Join(" or ", roles.Select(r => Naming.ToKebabCase(Naming.ToSnakeCase(r.ToString()))));
            problems.Add(map.Problem(node, $"{id} is a {descriptor.RoleName}, but {what} needs a {expected}"));
            return null;
        }

        return descriptor;
    }

    private PlannedPlugin? Create(PluginDescriptor descriptor, string stepId, PluginUse use, string where, SourceMap map, List<Problem> problems)
    {
        var bound = OptionsBinder.Bind(descriptor.Id, descriptor.OptionsType, use.With, use.UseNode ?? use.Node, map, problems, catalog.OptionsContext);
        if (bound is null)
        {
            return null;
        }

        // A step naming a compute backend (backend: cxdi.cuda) this machine cannot run is refused here, at its line.
        if (BackendAvailability.RequestedIn(bound.Options) is { } backend && BackendAvailability.Unavailable(catalog, backend) is { } unavailable)
        {
            var valueNode = use.With is YamlMappingNode with && with.Children.TryGetValue(new YamlScalarNode("backend"), out var v) ? v : null;
            problems.Add(map.Problem(valueNode, $"backend: {unavailable}", use.With ?? use.Node));
            return null;
        }

        try
        {
            return new PlannedPlugin(stepId, descriptor, PluginCatalog.Create(descriptor), bound, where);
        }
        catch (CxdiException e)
        {
            problems.Add(map.Problem(use.UseNode, e.OneLine, use.Node));
            return null;
        }
    }

    private static string ResolvedYaml(WorkflowDocument doc, PlannedPlugin input, DataPath source, IReadOnlyList<PlannedPlugin> steps, IReadOnlyList<PlannedPlugin> writers, string outputDirectory)
    {
        static Dictionary<string, object?> With(PlannedPlugin p) => new(p.Options.Resolved, StringComparer.Ordinal);
        var inputMap = new Dictionary<string, object?> { ["use"] = input.Descriptor.Id };
        if (source.File.Length > 0)
        {
            inputMap["path"] = source.ToString();
        }

        inputMap["with"] = With(input);
        var root = new Dictionary<string, object?>
        {
            ["schema"] = WorkflowDocument.SupportedSchema,
            ["name"] = doc.Name,
            ["description"] = doc.Description,
            ["input"] = inputMap,
            ["steps"] = steps.Select(s => new Dictionary<string, object?> { ["id"] = s.StepId, ["use"] = s.Descriptor.Id, ["with"] = With(s) }).ToList(),
            ["output"] = new Dictionary<string, object?>
            {
                ["directory"] = outputDirectory,
                ["writers"] = writers.Select(w => new Dictionary<string, object?> { ["use"] = w.Descriptor.Id, ["with"] = With(w) }).ToList(),
            },
        };
        return new SerializerBuilder().Build().Serialize(root);
    }
}
