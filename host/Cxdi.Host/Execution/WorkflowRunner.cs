using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.Logging;

namespace Cxdi.Host.Execution;

/// <summary>How far a workflow is executed.</summary>
public enum RunMode
{
    /// <summary>Input, every step, the writers and <c>summary.json</c>.</summary>
    Full,

    /// <summary>Input and the steps before the first phaser, then the guardrails; nothing is written.</summary>
    Check,
}

/// <summary>Everything a run needs besides the plan.</summary>
/// <param name="Catalog">Loaded plugins.</param>
/// <param name="LoggerFactory">Logging.</param>
/// <param name="Out">Progress and results.</param>
/// <param name="Error">Errors, one line each.</param>
/// <param name="CommandLine">The command line, recorded in results.</param>
/// <param name="Backend">Requested backend (<c>--backend</c> or <c>CXDI_BACKEND</c>), or null.</param>
/// <param name="Verbose">Print stack traces of plugin bugs.</param>
public sealed record RunEnvironment(PluginCatalog Catalog, ILoggerFactory LoggerFactory, TextWriter Out, TextWriter Error, string CommandLine, string? Backend, bool Verbose)
{
    /// <summary>Where progress reports go (a TUI run monitor); null prints them to <see cref="Out"/> as throttled lines.</summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>
    /// Replace the results of an earlier run in the output folder (<c>--overwrite</c>): they are deleted before the run
    /// starts. Without it a folder holding earlier results is refused (exit 2), so that runs never mix.
    /// </summary>
    public bool Overwrite { get; init; }
}

/// <summary>The outcome of a run.</summary>
/// <param name="ExitCode">0 success, 1 run failed, 2 bad input, 130 cancelled.</param>
/// <param name="Summary">The summary (also written to <c>summary.json</c> in <see cref="RunMode.Full"/>).</param>
/// <param name="Result">The last item produced, or null.</param>
public sealed record RunOutcome(int ExitCode, RunSummary Summary, DataItem? Result);

/// <summary>
/// Executes a planned workflow: input → steps → writers, guarding every plugin call (STYLE #9): results are checked
/// (null, shape, NaN intensities), cancellation → <c>cancelled</c>, <see cref="CxdiException"/> → <c>failed</c> with its
/// one-line message, anything else → "internal error in plugin X".
/// </summary>
public sealed class WorkflowRunner(RunEnvironment env)
{
    /// <summary>Exit code of a cancelled run, whatever cancelled it (Ctrl+C, SIGINT, SIGTERM, SIGHUP): 128 + SIGINT, as shells report Ctrl+C.</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Id of the analysis run automatically before the first phaser.</summary>
    public const string GuardrailsId = "cxdi.guardrails";

    /// <summary>Runs <paramref name="plan"/>.</summary>
    public RunOutcome Run(WorkflowPlan plan, RunMode mode, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var summary = new RunSummary
        {
            Workflow = plan.Document.Name,
            File = plan.Document.File,
            SoftwareVersion = Versions.Software,
            SdkVersion = Versions.Sdk,
            Command = env.CommandLine,
            Started = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            Input = plan.Source.File.Length > 0 ? plan.Source.ToString() : null,
        };
        var runInfo = new RunInfo(env.CommandLine, Versions.Software, plan.ResolvedYaml);
        var resolver = new PluginResolver(env.Catalog, env.Backend);
        var progress = env.Progress ?? new ConsoleProgress(env.Out);
        OutputSink? sink = null;
        StepContext Context(string stepId, string pluginId) => NewContext(stepId, pluginId, cancellation);

        // Writers are not cancelled: a run that finished is written completely even after Ctrl+C.
        StepContext NewContext(string stepId, string pluginId, CancellationToken token) => new()
        {
            Cancellation = token,
            Progress = progress,
            Logger = env.LoggerFactory.CreateLogger(pluginId),
            StepId = stepId,
            Output = sink,
            Plugins = resolver,
            Backend = env.Backend,
            Run = runInfo,
        };

        if (mode == RunMode.Full)
        {
            sink = new OutputSink(plan.OutputDirectory, plan.Writers, () => NewContext("output", "output", CancellationToken.None), deferErrors: true);
            IReadOnlyList<string> earlier;
            try
            {
                earlier = OutputFolder.EarlierResults(plan.OutputDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                earlier = [];
            }

            if (earlier.Count > 0 && !env.Overwrite)
            {
                // Nothing is written (not even summary.json): the earlier run's files stay as they were.
                var message = $"output folder {plan.OutputDirectory} holds the results of an earlier run ({Path.GetFileName(earlier[0])}{(earlier.Count > 1 ? $" and {earlier.Count - 1} more" : "")}); pass --overwrite to replace them, or choose another folder with --out";
                env.Error.WriteLine($"cxdi: error: {message}");
                summary.ExitCode = 2;
                summary.Message = message;
                return new RunOutcome(2, summary, null);
            }

            try
            {
                Directory.CreateDirectory(plan.OutputDirectory);
                OutputFolder.Remove(earlier);
                if (earlier.Count > 0)
                {
                    env.Out.WriteLine($"{plan.Document.Name}: removed {earlier.Count} file(s) of an earlier run (--overwrite)");
                }

                var stale = AtomicFile.RemoveStale(plan.OutputDirectory);
                if (stale.Count > 0)
                {
                    env.Out.WriteLine($"{plan.Document.Name}: removed {stale.Count} temporary file(s) left by an interrupted run");
                }

                AtomicFile.WriteAllText(Path.Combine(plan.OutputDirectory, "workflow.resolved.yaml"), plan.ResolvedYaml);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                env.Error.WriteLine($"cxdi: error: cannot write to output directory {plan.OutputDirectory}: {e.Message}");
                summary.ExitCode = 2;
                summary.Message = e.Message;
                return new RunOutcome(2, summary, null);
            }

            env.Out.WriteLine($"{plan.Document.Name}: writing to {plan.OutputDirectory}");
        }

        DataItem? item = null;
        var exitCode = 0;
        StepRecord? current = null;
        var stepClock = new Stopwatch();

        void Begin(PlannedPlugin p, string? id = null)
        {
            current = new StepRecord { Id = id ?? p.StepId, Plugin = p.Descriptor.Id, Version = p.Descriptor.Version, Status = "running" };
            summary.Steps.Add(current);
            stepClock.Restart();
        }

        void BeginRecord(StepRecord record)
        {
            current = record;
            stepClock.Restart();
        }

        void End()
        {
            current!.Status = "succeeded";
            current.Seconds = Math.Round(stepClock.Elapsed.TotalSeconds, 3);
        }

        try
        {
            // Input.
            Begin(plan.Input, "input");
            cancellation.ThrowIfCancellationRequested();
            var reader = plan.Reader;
            var data = PluginGuard.Call(plan.Input.Descriptor.Id, () => reader.Read(plan.Source, plan.Input.Options.Options, Context("input", plan.Input.Descriptor.Id)));
            CheckData(plan.Input.Descriptor.Id, data, plan.Specs.Count > 0 ? plan.Specs[0] : null);
            data.Provenance = data.Provenance.WithStep(plan.Input.Applied);
            item = data;
            End();
            env.Out.WriteLine($"[input] {plan.Input.Descriptor.Id} read {data.Shape} ({MeasuredFraction(data):P1} of pixels measured) in {current!.Seconds:F2} s");

            var guardrailsDone = plan.Steps.Any(s => s.Descriptor.Id == GuardrailsId);
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                var step = plan.Steps[i];
                cancellation.ThrowIfCancellationRequested();
                if (step.Plugin is IPhaser && !guardrailsDone)
                {
                    guardrailsDone = true;
                    item = RunGuardrails(item, summary, Context, BeginRecord);
                }

                if (mode == RunMode.Check && step.Plugin is IPhaser)
                {
                    break;
                }

                Begin(step);
                var spec = plan.Specs.Count > i + 1 ? plan.Specs[i + 1] : null;
                item = Execute(step, item, spec, Context(step.StepId, step.Descriptor.Id));
                if (sink?.Failure is { } writeFailure)
                {
                    throw writeFailure;
                }

                End();
                env.Out.WriteLine($"[{step.StepId}] {step.Descriptor.Id} done in {current!.Seconds:F2} s");
                if (step.Plugin is IAnalysis)
                {
                    PrintFindings(env.Out, step.Descriptor.Id, item);
                }
            }

            if (mode == RunMode.Check && !guardrailsDone)
            {
                item = RunGuardrails(item, summary, Context, BeginRecord);
            }

            cancellation.ThrowIfCancellationRequested();
            if (mode == RunMode.Full)
            {
                foreach (var writer in plan.Writers)
                {
                    var w = (IDataWriter)writer.Plugin;
                    var finalItem = item;
                    if (!PluginGuard.Call(writer.Descriptor.Id, () => w.CanWrite(finalItem)))
                    {
                        summary.Steps.Add(new StepRecord { Id = "output", Plugin = writer.Descriptor.Id, Version = writer.Descriptor.Version, Status = "skipped", Message = $"cannot write a {item.GetType().Name}" });
                        continue;
                    }

                    Begin(writer, "output");
                    var files = new OutputSink(plan.OutputDirectory, [writer], () => NewContext("output", writer.Descriptor.Id, CancellationToken.None)).Write(item, "result");
                    End();
                    foreach (var f in files)
                    {
                        env.Out.WriteLine($"[output] {writer.Descriptor.Id} wrote {f}");
                    }

                    summary.Files.AddRange(files.Select(f => RunSummary.Relative(plan.OutputDirectory, f)));
                }
            }

            summary.Status = "succeeded";
        }
        catch (OperationCanceledException)
        {
            summary.Status = "cancelled";
            summary.Message = "cancelled (Ctrl+C, SIGINT, SIGTERM or SIGHUP)";
            MarkCurrent(current, stepClock, "cancelled", "cancelled");
            exitCode = CancelledExitCode;
            env.Error.WriteLine("cxdi: cancelled; files of finished runs are kept");
        }
        catch (CxdiException e)
        {
            summary.Status = "failed";
            var where = current is null ? "" : current.Id == "input" ? $"input ({current.Plugin}): " : $"step '{current.Id}' ({current.Plugin}): ";
            var message = e is PluginFaultException ? e.Message : where + e.OneLine;
            summary.Message = message;
            MarkCurrent(current, stepClock, "failed", e.OneLine);
            exitCode = e.IsInputError ? 2 : 1;
            env.Error.WriteLine($"cxdi: error: {message}");
            if (env.Verbose && e.InnerException is { } inner)
            {
                env.Error.WriteLine(inner.ToString());
            }
        }

        if (sink is not null)
        {
            summary.Files.InsertRange(0, sink.Files.Select(f => RunSummary.Relative(plan.OutputDirectory, f)).Where(f => !summary.Files.Contains(f)));
        }

        if (item is ReconstructionSet set)
        {
            summary.Describe(set, plan.OutputDirectory);
        }
        else if (sink?.WrittenRuns is { Count: > 0 } written)
        {
            // The phaser was cancelled or failed before returning its set: list the runs that finished and were written.
            summary.DescribeRuns(written, plan.OutputDirectory);
        }

        if (item is { Findings.Count: > 0 })
        {
            summary.Findings = new Dictionary<string, object>(item.Findings, StringComparer.Ordinal);
        }

        summary.ExitCode = exitCode;
        summary.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        if (mode == RunMode.Full)
        {
            var path = Path.Combine(plan.OutputDirectory, "summary.json");
            summary.Write(path);
            env.Out.WriteLine($"{plan.Document.Name}: {summary.Status} in {summary.Seconds:F1} s; summary in {path}");
        }

        return new RunOutcome(exitCode, summary, item);
    }

    /// <summary>Runs one step on <paramref name="item"/> and checks what comes back.</summary>
    private static DataItem Execute(PlannedPlugin step, DataItem item, DataSpec? spec, StepContext context)
    {
        var id = step.Descriptor.Id;
        var options = step.Options.Options;
        DataItem result;
        switch (step.Plugin)
        {
            case IPreprocessor p:
            {
                var data = AsData(item, step);
                var output = PluginGuard.Call(id, () => p.Apply(data, options, context));
                CheckData(id, output, spec);
                result = output;
                break;
            }

            case IDenoiser d:
            {
                var data = AsData(item, step);
                var output = PluginGuard.Call(id, () => d.Denoise(data, options, context));
                CheckData(id, output, spec ?? data.Spec);
                result = output;
                break;
            }

            case ISupportFinder f:
            {
                var data = AsData(item, step);
                var support = PluginGuard.Call(id, () => f.FindSupport(data, options, context));
                if (support is null || support.LongLength != data.Shape.Length)
                {
                    throw new PluginFaultException(id, $"returned a support of {support?.LongLength ?? 0} pixels for data of shape {data.Shape} ({data.Shape.Length} pixels)");
                }

                data.InitialSupport = support;
                result = data;
                break;
            }

            case IPhaser ph:
            {
                var data = AsData(item, step);
                var set = PluginGuard.Call(id, () => ph.Reconstruct(data, options, context));
                CheckSet(id, set, spec);
                result = set;
                break;
            }

            case IAnalysis a:
            {
                var output = PluginGuard.Call(id, () => a.Analyse(item, options, context));
                result = output ?? throw new PluginFaultException(id, "returned no item");
                break;
            }

            default:
                throw new PluginFaultException(id, $"a {step.Descriptor.RoleName} cannot run as a step");
        }

        context.Cancellation.ThrowIfCancellationRequested();
        result.Provenance = result.Provenance.WithStep(step.Applied);
        return result;
    }

    private DataItem RunGuardrails(DataItem item, RunSummary summary, Func<string, string, StepContext> context, Action<StepRecord> begin)
    {
        if (env.Catalog.Find(GuardrailsId, PluginRole.Analysis) is not { } descriptor)
        {
            return item;
        }

        var record = new StepRecord { Id = "guardrails", Plugin = descriptor.Id, Version = descriptor.Version, Status = "running" };
        summary.Steps.Add(record);
        begin(record);
        var clock = Stopwatch.StartNew();
        var analysis = (IAnalysis)PluginCatalog.Create(descriptor);
        if (!PluginGuard.Call(descriptor.Id, () => analysis.Accepts(item.Spec)))
        {
            record.Status = "skipped";
            record.Message = $"does not accept {item.Spec}";
            return item;
        }

        var options = (PluginOptions)Activator.CreateInstance(descriptor.OptionsType)!;
        DataItem result;
        try
        {
            result = PluginGuard.Call(descriptor.Id, () => analysis.Analyse(item, options, context("guardrails", descriptor.Id)))
                ?? throw new PluginFaultException(descriptor.Id, "returned no item");
        }
        catch (PluginFaultException e)
        {
            record.Status = "failed";
            record.Message = e.Message;
            env.Error.WriteLine($"cxdi: warning: {e.Message}; carrying on without guardrails");
            return item;
        }
        catch (CxdiException e)
        {
            record.Status = "failed";
            record.Message = e.OneLine;
            throw;
        }

        record.Status = "succeeded";
        record.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        result.Provenance = result.Provenance.WithStep(new AppliedStep(descriptor.Id, descriptor.Version, OptionsBinder.Resolve(options)));
        PrintFindings(env.Out, descriptor.Id, result);
        return result;
    }

    /// <summary>Prints the findings an analysis recorded under its id (or all findings when it used another key).</summary>
    public static void PrintFindings(TextWriter output, string analysisId, DataItem item)
    {
        var entries = item.Findings.TryGetValue(analysisId, out var own)
            ? [new KeyValuePair<string, object>(analysisId, own)]
            : item.Findings.ToList();
        if (entries.Count == 0)
        {
            output.WriteLine($"[{analysisId}] no findings");
            return;
        }

        foreach (var (key, value) in entries)
        {
            switch (value)
            {
                case string s:
                    output.WriteLine($"[{key}] {s}");
                    break;
                case System.Collections.IDictionary dict:
                    foreach (System.Collections.DictionaryEntry e in dict)
                    {
                        output.WriteLine($"[{key}] {e.Key}: {Show(e.Value)}");
                    }

                    break;
                case System.Collections.IEnumerable list:
                    foreach (var element in list)
                    {
                        // {level, code, value, message} records (cxdi.guardrails) print as "level code: message".
                        if (element is System.Collections.IDictionary { } record && record.Contains("message"))
                        {
                            var head = string.Join(' ', new[] { record.Contains("level") ? record["level"] : null, record.Contains("code") ? record["code"] : null }.OfType<object>());
                            output.WriteLine($"[{key}] {(head.Length > 0 ? head + ": " : "")}{record["message"]}");
                        }
                        else
                        {
                            output.WriteLine($"[{key}] {Show(element)}");
                        }
                    }

                    break;
                default:
                    output.WriteLine($"[{key}] {Show(value)}");
                    break;
            }
        }
    }

    private static string Show(object? value)
    {
        if (value is null or string)
        {
            return value as string ?? "null";
        }

        try
        {
            return JsonSerializer.Serialize(value, value.GetType());
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            return value.ToString() ?? "";
        }
    }

    private static void MarkCurrent(StepRecord? current, Stopwatch clock, string status, string message)
    {
        if (current is not null && current.Status == "running")
        {
            current.Status = status;
            current.Message = message;
            current.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        }
    }

    private static DiffractionData AsData(DataItem item, PlannedPlugin step) =>
        item as DiffractionData ?? throw new WorkflowShapeException($"step '{step.StepId}' ({step.Descriptor.Id}) needs diffraction data but receives {item.Spec}", "place it before the phasing step");

    /// <summary>Checks diffraction data returned by a plugin: not null, the declared shape, consistent arrays, no NaN in measured pixels.</summary>
    public static void CheckData(string pluginId, DiffractionData? data, DataSpec? expected)
    {
        if (data is null)
        {
            throw new PluginFaultException(pluginId, "returned no data");
        }

        if (data.Intensity.LongLength != data.Shape.Length || data.Mask.LongLength != data.Shape.Length)
        {
            throw new PluginFaultException(pluginId, $"returned arrays of {data.Intensity.LongLength} and {data.Mask.LongLength} values for shape {data.Shape}");
        }

        if (expected is not null && expected.Shape != data.Shape)
        {
            throw new PluginFaultException(pluginId, $"returned shape {data.Shape} but its dry run declared {expected.Shape}");
        }

        long nan = 0;
        var unknown = (uint)MaskFlags.Unknown;
        for (long i = 0; i < data.Intensity.LongLength; i++)
        {
            if ((data.Mask[i] & unknown) == 0 && !float.IsFinite(data.Intensity[i]))
            {
                nan++;
            }
        }

        if (nan > 0)
        {
            throw new PluginFaultException(pluginId, $"returned NaN or infinite intensities at {nan} measured pixels (they must be masked as invalid)");
        }
    }

    private static void CheckSet(string pluginId, ReconstructionSet? set, DataSpec? expected)
    {
        if (set is null)
        {
            throw new PluginFaultException(pluginId, "returned no reconstruction set");
        }

        if (expected is not null && expected.Shape != set.Shape)
        {
            throw new PluginFaultException(pluginId, $"returned shape {set.Shape} but its dry run declared {expected.Shape}");
        }

        if (set.Average is { } average)
        {
            if (average.LongLength != set.Shape.Length)
            {
                throw new PluginFaultException(pluginId, $"returned an average of {average.LongLength} values for shape {set.Shape}");
            }

            foreach (var c in average)
            {
                if (!float.IsFinite(c.Re) || !float.IsFinite(c.Im))
                {
                    throw new PluginFaultException(pluginId, "returned an average containing NaN or infinite values");
                }
            }
        }
    }

    private static double MeasuredFraction(DiffractionData data)
    {
        long measured = 0;
        for (long i = 0; i < data.Mask.LongLength; i++)
        {
            if (data.IsMeasured(i))
            {
                measured++;
            }
        }

        return data.Shape.Length == 0 ? 0 : (double)measured / data.Shape.Length;
    }
}
