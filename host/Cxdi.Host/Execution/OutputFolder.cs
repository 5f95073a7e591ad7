using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cxdi.Host.Execution;

/// <summary>
/// The results an earlier run left in an output folder, so that a new run neither mixes its files with them nor removes
/// anything the workbench did not write: <c>summary.json</c>, the files it lists, and files named like the workbench names
/// results (<c>run_NN.*</c>, <c>run_NN_*.*</c>, <c>result.*</c>, <c>result_*.*</c>) directly in the folder.
/// </summary>
public static partial class OutputFolder
{
    /// <summary>Name of the run summary in an output folder.</summary>
    public const string SummaryName = "summary.json";

    /// <summary>The full paths of earlier results in <paramref name="directory"/>, sorted; empty when it holds none or does not exist.</summary>
    public static IReadOnlyList<string> EarlierResults(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            return [];
        }

        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(full, "*", SearchOption.TopDirectoryOnly))
        {
            if (ResultName().IsMatch(Path.GetFileName(path)))
            {
                found.Add(path);
            }
        }

        var summary = Path.Combine(full, SummaryName);
        if (File.Exists(summary))
        {
            found.Add(summary);
            foreach (var listed in ListedFiles(summary))
            {
                var path = Path.GetFullPath(listed, full);
                if (Path.GetDirectoryName(path) is { } parent && string.Equals(parent, Path.TrimEndingDirectorySeparator(full), StringComparison.Ordinal) && File.Exists(path))
                {
                    found.Add(path);
                }
            }
        }

        return [.. found];
    }

    /// <summary>Deletes <paramref name="files"/> (as found by <see cref="EarlierResults"/>); throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when one cannot be deleted.</summary>
    public static void Remove(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            File.Delete(file);
        }
    }

    /// <summary>The <c>files</c> and <c>runs[].files</c> entries of a summary; none when it cannot be read.</summary>
    private static List<string> ListedFiles(string summary)
    {
        var listed = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(summary));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return listed;
            }

            Collect(root, listed);
            if (root.TryGetProperty("runs", out var runs) && runs.ValueKind == JsonValueKind.Array)
            {
                foreach (var run in runs.EnumerateArray())
                {
                    Collect(run, listed);
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // A damaged summary still marks the folder as used; the name patterns find the rest.
        }

        return listed;

        static void Collect(JsonElement element, List<string> into)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
            {
                into.AddRange(files.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!).Where(f => f.Length > 0));
            }
        }
    }

    [GeneratedRegex(@"^(run_[0-9]+|result)(_[A-Za-z0-9]+)*\.[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ResultName();
}
