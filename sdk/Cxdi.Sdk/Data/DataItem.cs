namespace Cxdi.Sdk.Data;

/// <summary>What flows from step to step in a workflow: measured data or a set of reconstructions.</summary>
public abstract class DataItem
{
    /// <summary>Shape, space and element kind.</summary>
    public abstract DataSpec Spec { get; }

    /// <summary>Source files and applied steps.</summary>
    public Provenance Provenance { get; set; } = Provenance.Empty;

    /// <summary>Free-form metadata (file header keys, instrument names); values are strings or numbers.</summary>
    public Dictionary<string, object> Metadata { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Findings of analyses and checks, by plugin id, serialisable to JSON (numbers, strings, arrays, dictionaries).</summary>
    public Dictionary<string, object> Findings { get; init; } = new(StringComparer.Ordinal);
}
