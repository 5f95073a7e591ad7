using System.ComponentModel;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Cxdi.Algorithms;

/// <summary>
/// Averaged successive reflections (Bauschke, Combettes and Luke, 2003): ψ' = ½(R_S R_M + 1)ψ, with the reflections
/// R = 2P − 1 of the modulus projection P_M and of the support projection P_S. Written only against the public SDK: the
/// projection cycle of <see cref="ProjectionCycleOperator"/> gives P_M ψ, and the real-space step uses core primitives
/// every backend implements (axpby and a masked scale), so it runs unchanged on the CPU, a GPU or any other backend.
/// It uses the support only (no positivity or real constraint).
/// </summary>
[Description("Averaged successive reflections: ψ' = ½(R_S R_M + 1)ψ, R = 2P − 1 (Acme sample operator).")]
public sealed class Asr : ProjectionCycleOperator
{
    /// <inheritdoc />
    protected override void Update(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var backend = state.Backend;

        // On entry the object holds P_M ψ and Previous holds ψ.
        backend.Axpby(-1f, state.Previous, 2f, state.Object);     // R_M ψ = 2 P_M ψ − ψ
        backend.Scale(state.Object, state.Support, 1f, -1f);       // R_S y = 2 P_S y − y: kept inside the support, negated outside
        backend.Axpby(0.5f, state.Previous, 0.5f, state.Object);   // ψ' = ½(R_S R_M ψ + ψ)
        backend.Copy(state.Object, state.Previous);                // the next cycle starts from ψ'
    }
}

/// <summary>Registers the Acme algorithms: the operator <c>ASR</c>, usable in any <c>cxdi.phase</c> operator string.</summary>
public sealed class AlgorithmsModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services) => services.AddPhasingOperator<Asr>("ASR");
}
