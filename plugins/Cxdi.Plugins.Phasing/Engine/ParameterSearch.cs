using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// The <c>search:</c> option of <c>cxdi.phase</c>: every combination of the candidate option values runs a few short runs
/// (seeds apart from the main runs, the same for every candidate so they start alike and hold out the same pixels), is
/// scored by its runs' free log-likelihood (never by a known answer) and the best one is used for the real runs.
/// </summary>
internal static partial class ParameterSearch
{
    /// <summary>Search runs use seeds from <c>seed + SeedOffset</c>; main runs use seed … seed + runs − 1 (runs ≤ 10000).</summary>
    public const long SeedOffset = 100_000;

    /// <summary>Options a search may not vary: they size, seed, split or place the runs, or change what the score means.</summary>
    private static readonly HashSet<string> NotSearchable = new(StringComparer.Ordinal)
    {
        nameof(PhaseOptions.Search), nameof(PhaseOptions.SearchRuns), nameof(PhaseOptions.SearchCyclesFraction), nameof(PhaseOptions.SearchMaxCandidates),
        nameof(PhaseOptions.SearchScore), nameof(PhaseOptions.Runs), nameof(PhaseOptions.Keep), nameof(PhaseOptions.Seed), nameof(PhaseOptions.FreeFraction),
        nameof(PhaseOptions.Threads), nameof(PhaseOptions.ParallelRuns), nameof(PhaseOptions.Backend), nameof(PhaseOptions.RunsSlice),
        nameof(PhaseOptions.RunsDir), nameof(PhaseOptions.MergeOnly), nameof(PhaseOptions.Centering), nameof(PhaseOptions.MetricEvery), nameof(PhaseOptions.ProgressEvery),
    };

    /// <summary>One searched option: its property, YAML key and candidate values (typed) with their text.</summary>
    internal sealed record Axis(PropertyInfo Property, string Key, IReadOnlyList<object?> Values, IReadOnlyList<string> Texts);

    /// <summary>One combination: the value text of each searched key and the options it gives.</summary>
    internal sealed record Candidate(int Index, IReadOnlyDictionary<string, string> Values, PhaseOptions Options)
    {
        /// <summary>The combination as <c>key=value, …</c>.</summary>
        public string Describe() => string.Join(", ", Values.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    /// <summary>The problems of <see cref="PhaseOptions.Search"/>, one line each, all with the key <c>search</c>.</summary>
    public static IEnumerable<OptionProblem> Problems(PhaseOptions options, OptionsContext context)
    {
        if (options.Search.Count == 0)
        {
            return [];
        }

        if (options.MergeOnly || options.RunsSlice is { Length: > 0 })
        {
            return [Problem("search cannot be combined with runs_slice or merge_only: search in the whole run, then split the chosen options")];
        }

        if (!TryAxes(options, out var axes, out var error))
        {
            return [Problem(error)];
        }

        var count = axes.Aggregate(1L, (n, a) => n * a.Values.Count);
        if (count > options.SearchMaxCandidates)
        {
            return [Problem($"{count} combinations ({string.Join(" × ", axes.Select(a => $"{a.Values.Count} {a.Key}"))}) exceed search_max_candidates ({options.SearchMaxCandidates}): give fewer values or raise search_max_candidates")];
        }

        foreach (var candidate in Candidates(options, axes))
        {
            // The options record's own checks (keep ≤ runs, operator syntax, fraction order …) on what the candidate will run.
            if (candidate.Options.Validate(context).FirstOrDefault() is { } problem)
            {
                return [Problem($"candidate {candidate.Describe()}: {Key(problem.Key)}: {problem.Message}")];
            }
        }

        return [];
    }

    /// <summary>
    /// Runs every candidate through <paramref name="reconstruct"/> (a full <c>cxdi.phase</c> without search) and returns the
    /// options of the best with the findings that record every candidate and the choice.
    /// </summary>
    public static (PhaseOptions Chosen, Dictionary<string, object> Findings) Run(DiffractionData data, PhaseOptions options, StepContext context, Func<DiffractionData, PhaseOptions, StepContext, ReconstructionSet> reconstruct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(reconstruct);
        if (!TryAxes(options, out var axes, out var error))
        {
            throw new ArgumentException($"search: {error}", nameof(options)); // the options binder reports this before the step runs
        }

        var candidates = Candidates(options, axes);
        var useFree = options.FreeFraction > 0;
        var quiet = new StepContext
        {
            Cancellation = context.Cancellation,
            Logger = context.Logger,
            StepId = context.StepId,
            Plugins = context.Plugins,
            Backend = context.Backend,
            Run = context.Run,
        };
        var rows = new List<Dictionary<string, object>>();
        var scores = new double[candidates.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            var candidate = candidates[c];
            context.Cancellation.ThrowIfCancellationRequested();
            Progress(context, $"search candidate {c + 1}/{candidates.Count} ({candidate.Describe()}): {options.SearchRuns} run(s)", c, candidates.Count);
            double[] llks;
            string[] states;
            string? note = null;
            try
            {
                var set = reconstruct(data, candidate.Options, quiet);
                var ordered = set.Runs.OrderBy(r => r.Index).ToArray();
                llks = [.. ordered.Select(r => r.State == RunState.Kept ? (useFree ? r.FreeLlk : r.Llk) : double.PositiveInfinity)];
                states = [.. ordered.Select(r => r.State == RunState.Kept ? "ok" : $"{r.State.ToString().ToLowerInvariant()}{(r.Reason is { } why ? $": {why}" : "")}")];
            }
            catch (CxdiException e)
            {
                // No usable run, or a candidate the data refuse (an empty starting support …): it cannot win.
                llks = [.. Enumerable.Repeat(double.PositiveInfinity, options.SearchRuns)];
                states = [.. Enumerable.Repeat("failed", options.SearchRuns)];
                note = e.OneLine;
            }

            var score = Score(llks, options.SearchScore);
            scores[c] = score;
            var row = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["candidate"] = c,
                ["options"] = candidate.Values.ToDictionary(kv => kv.Key, kv => (object)kv.Value, StringComparer.Ordinal),
                ["free_llk"] = llks.Select(Round).ToArray(), // +∞ (a failed or rejected run) is written as null
                ["runs"] = states,
                ["score"] = Round(score),
            };
            if (note is not null)
            {
                row["note"] = note;
            }

            rows.Add(row);
            Progress(context, $"search candidate {c + 1}/{candidates.Count} ({candidate.Describe()}): score {score:G6} ({(useFree ? "free " : "")}LLK {string.Join(", ", llks.Select(l => l.ToString("G5", CultureInfo.InvariantCulture)))})", c, candidates.Count, done: true);
        }

        var best = -1;
        for (var c = 0; c < scores.Length; c++)
        {
            if (!double.IsPositiveInfinity(scores[c]) && (best < 0 || scores[c] < scores[best]))
            {
                best = c;
            }
        }

        if (best < 0)
        {
            throw new PhasingFailedException($"parameter search: no candidate of {candidates.Count} gave a usable run", "widen the searched values (lower support_threshold, other operators) or raise search_runs");
        }

        var chosen = candidates[best];
        Progress(context, $"search: chose candidate {best + 1}/{candidates.Count} ({chosen.Describe()}), score {scores[best]:G6}", null, candidates.Count, done: true);
        context.Logger.LogSearch(best + 1, candidates.Count, chosen.Describe(), scores[best]);
        var chosenOptions = options with { Search = [] };
        foreach (var axis in axes)
        {
            axis.Property.SetValue(chosenOptions, axis.Values[axis.Texts.ToList().IndexOf(chosen.Values[axis.Key])]);
        }

        var findings = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["score"] = $"{options.SearchScore.ToString().ToLowerInvariant()} {(useFree ? "free " : "")}LLK of {options.SearchRuns} run(s) per candidate (lower is better); seeds {options.Seed + SeedOffset}…{options.Seed + SeedOffset + options.SearchRuns - 1}; cycles × {options.SearchCyclesFraction:G3}",
            ["candidates"] = rows.ToArray(),
            ["chosen"] = best,
            ["chosen_options"] = chosen.Values.ToDictionary(kv => kv.Key, kv => (object)kv.Value, StringComparer.Ordinal),
        };
        return (chosenOptions, findings);
    }

    /// <summary>The median (mean of the middle two for an even count) or the lowest of the runs' LLKs; +∞ runs sort last.</summary>
    internal static double Score(IReadOnlyList<double> llks, SearchScore how)
    {
        if (llks.Count == 0)
        {
            return double.PositiveInfinity;
        }

        var sorted = llks.Order().ToArray();
        if (how == SearchScore.Best)
        {
            return sorted[0];
        }

        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>The cartesian product of the axes (the first axis varies slowest), each with its options.</summary>
    internal static List<Candidate> Candidates(PhaseOptions options, IReadOnlyList<Axis> axes)
    {
        var baseOptions = options with
        {
            Search = [],
            Generations = 1,
            Runs = options.SearchRuns,
            Keep = options.SearchRuns,
            Seed = options.Seed + SeedOffset,
            RunsDir = null,
            FscPixelHalves = false, // a resolution check of the chosen candidate's runs, not a score: never in the search
            Operators = ScaleCycles(options.Operators, options.SearchCyclesFraction),
        };
        var result = new List<Candidate>();
        var index = new int[axes.Count];
        while (true)
        {
            var candidate = baseOptions with { };
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var a = 0; a < axes.Count; a++)
            {
                var axis = axes[a];
                values[axis.Key] = axis.Texts[index[a]];
                if (axis.Property.Name == nameof(PhaseOptions.Operators))
                {
                    candidate = candidate with { Operators = ScaleCycles((string)axis.Values[index[a]]!, options.SearchCyclesFraction) };
                }
                else
                {
                    axis.Property.SetValue(candidate, axis.Values[index[a]]); // a fresh copy: init-only is safe to set here
                }
            }

            result.Add(new Candidate(result.Count, values, candidate));
            var k = axes.Count - 1;
            while (k >= 0 && ++index[k] == axes[k].Values.Count)
            {
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return result;
            }
        }
    }

    /// <summary>Multiplies every operator's repeat count (<c>ER**100</c>, <c>HIO(0.7)**20</c>) by <paramref name="fraction"/>, at least 1; group repeats stay.</summary>
    internal static string ScaleCycles(string operators, double fraction) =>
        fraction >= 1 ? operators : RepeatPattern().Replace(operators, m =>
            $"{m.Groups["op"].Value}**{Math.Max(1, (int)Math.Round(int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) * fraction, MidpointRounding.AwayFromZero))}");

    /// <summary>Parses the search entries into axes; false with a one-line reason on the first problem.</summary>
    internal static bool TryAxes(PhaseOptions options, out List<Axis> axes, out string error)
    {
        axes = [];
        error = "";
        var properties = typeof(PhaseOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToDictionary(KeyOf, StringComparer.Ordinal);
        foreach (var entry in options.Search)
        {
            var equals = entry?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (entry is null || equals <= 0)
            {
                error = $"entry '{entry}' is not name=value1,value2,… (e.g. support_threshold=0.15,0.2,0.25)";
                return false;
            }

            var key = entry[..equals].Trim();
            if (!properties.TryGetValue(key, out var property))
            {
                var near = properties.Keys.Where(k => !NotSearchable.Contains(properties[k].Name)).OrderBy(k => Distance(k, key)).First();
                error = $"unknown option '{key}' (did you mean {near}?)";
                return false;
            }

            if (NotSearchable.Contains(property.Name))
            {
                error = $"{key} cannot be searched (it sizes, seeds or places the runs, or changes what the score means)";
                return false;
            }

            if (axes.Any(a => a.Key == key))
            {
                error = $"{key} appears twice";
                return false;
            }

            var text = entry[(equals + 1)..];
            var parts = (text.Contains('|', StringComparison.Ordinal) || property.Name == nameof(PhaseOptions.Operators) ? text.Split('|') : text.Split(','))
                .Select(p => p.Trim()).ToArray();
            if (parts.Length == 0 || parts.Any(p => p.Length == 0))
            {
                error = $"{key}: empty value in '{text}'";
                return false;
            }

            if (parts.Distinct(StringComparer.Ordinal).Count() != parts.Length)
            {
                error = $"{key}: a value repeats in '{text}'";
                return false;
            }

            var values = new List<object?>();
            foreach (var part in parts)
            {
                if (!TryParse(part, property.PropertyType, out var value, out var why))
                {
                    error = $"{key}={part}: {why}";
                    return false;
                }

                if (property.GetCustomAttribute<RangeAttribute>() is { } range && value is not null && !range.IsValid(value))
                {
                    error = $"{key}={part} is outside {Convert.ToString(range.Minimum, CultureInfo.InvariantCulture)} … {Convert.ToString(range.Maximum, CultureInfo.InvariantCulture)}";
                    return false;
                }

                values.Add(value);
            }

            axes.Add(new Axis(property, key, values, parts));
        }

        return true;
    }

    private static bool TryParse(string text, Type type, out object? value, out string error)
    {
        value = null;
        error = "";
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            var name = Enum.GetNames(underlying).FirstOrDefault(n => string.Equals(SnakeCase(n), text, StringComparison.OrdinalIgnoreCase) || string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            value = name is null ? null : Enum.Parse(underlying, name);
            error = $"expects one of {string.Join(", ", Enum.GetNames(underlying).Select(SnakeCase))}";
            return name is not null;
        }

        switch (Type.GetTypeCode(underlying))
        {
            case TypeCode.String:
                value = text;
                return true;
            case TypeCode.Boolean:
                var ok = bool.TryParse(text, out var b);
                value = b;
                error = "expects true or false";
                return ok;
            case TypeCode.Int32:
                ok = int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i);
                value = i;
                error = "expects an integer";
                return ok;
            case TypeCode.Int64:
                ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l);
                value = l;
                error = "expects an integer";
                return ok;
            case TypeCode.Double:
                ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d);
                value = d;
                error = "expects a number";
                return ok;
            default:
                error = $"options of type {underlying.Name} cannot be searched";
                return false;
        }
    }

    private static string KeyOf(PropertyInfo property) => property.GetCustomAttribute<OptionNameAttribute>()?.Name ?? SnakeCase(property.Name);

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var previous = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return d[b.Length];
    }

    private static string Key(string propertyName) => SnakeCase(propertyName);

    private static object Round(double value) => double.IsFinite(value) ? Math.Round(value, 6) : double.NaN;

    private static OptionProblem Problem(string message) => new(nameof(PhaseOptions.Search), message);

    /// <summary>A search line without a run index (progress displays log those); a finished candidate or the choice is marked finished so a throttled console prints it.</summary>
    private static void Progress(StepContext context, string message, int? candidate, int count, bool done = false) =>
        context.Progress.Report(new ProgressReport(context.StepId, message) { Fraction = candidate is { } c ? (double)(c + (done ? 1 : 0)) / count : 1, State = done ? RunState.Finished : null });

    [GeneratedRegex(@"(?<op>[A-Za-z][A-Za-z0-9_]*(?:\([^()]*\))?)\s*\*\*\s*(?<n>\d+)")]
    private static partial Regex RepeatPattern();
}

/// <summary>Log messages of the parameter search.</summary>
internal static partial class ParameterSearchLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "parameter search: chose candidate {Chosen}/{Count} ({Options}), score {Score}")]
    public static partial void LogSearch(this Microsoft.Extensions.Logging.ILogger logger, int chosen, int count, string options, double score);
}
