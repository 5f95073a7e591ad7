using Cxdi.Plugins.Ml.Simulation;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>How to train a model on simulations.</summary>
/// <param name="Simulation">Patterns to simulate (shape, object size, photons, mask).</param>
/// <param name="Patterns">Training patterns.</param>
/// <param name="Samples">Training rows drawn from all patterns together (patches for the denoiser).</param>
/// <param name="Trees">Boosted trees.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="Seed">Base seed: pattern k uses Seed·1000 + k, the validation pattern Seed·1000 + 999.</param>
internal sealed record TrainingPlan(SimulationSpec Simulation, int Patterns, int Samples, int Trees, int Leaves, int Seed)
{
    /// <summary>The seed of training pattern <paramref name="k"/>.</summary>
    public int PatternSeed(int k) => (Seed * 1000) + k;

    /// <summary>The seed of the validation pattern (never used for training).</summary>
    public int ValidationSeed => (Seed * 1000) + 999;

    /// <summary>Provenance entries common to every model kind.</summary>
    public Dictionary<string, object> Describe(string contract, double seconds) => new(StringComparer.Ordinal)
    {
        ["created_utc"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["plugin_version"] = MlModule.Version,
        ["feature_contract"] = contract,
        ["simulation"] = Simulation.Describe(),
        ["training_seeds"] = Enumerable.Range(0, Patterns).Select(PatternSeed).ToList(),
        ["validation_seed"] = ValidationSeed,
        ["samples"] = Samples,
        ["trees"] = Trees,
        ["leaves"] = Leaves,
        ["training_seconds"] = Math.Round(seconds, 2),
    };
}
