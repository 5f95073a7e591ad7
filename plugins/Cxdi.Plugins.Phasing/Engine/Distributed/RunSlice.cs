using System.Globalization;

namespace Cxdi.Plugins.Phasing.Engine.Distributed;

/// <summary>A contiguous range of run indices, <c>FIRST-LAST</c> inclusive, as given by <c>runs_slice</c>.</summary>
/// <param name="First">First run index, from 0.</param>
/// <param name="Last">Last run index, inclusive.</param>
internal readonly record struct RunSlice(int First, int Last)
{
    /// <summary>Number of runs in the slice.</summary>
    public int Count => Last - First + 1;

    /// <summary>The indices of the slice, in order.</summary>
    public int[] Indices => [.. Enumerable.Range(First, Count)];

    /// <summary>The slice as written in <c>runs_slice</c>.</summary>
    public override string ToString() => First == Last ? First.ToString(CultureInfo.InvariantCulture) : $"{First}-{Last}";

    /// <summary>Parses <c>FIRST-LAST</c> or one index and checks it lies within <paramref name="runs"/> runs.</summary>
    public static bool TryParse(string text, int runs, out RunSlice slice, out string problem)
    {
        slice = default;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            problem = $"runs_slice '{text}' is not FIRST-LAST or one run index (e.g. 4-7 or 3)";
            return false;
        }

        if (last < first)
        {
            problem = $"runs_slice '{text}' ends before it starts";
            return false;
        }

        if (last >= runs)
        {
            problem = $"runs_slice '{text}' names run {last} but there are only runs 0-{runs - 1} (runs: {runs})";
            return false;
        }

        slice = new RunSlice(first, last);
        problem = "";
        return true;
    }
}
