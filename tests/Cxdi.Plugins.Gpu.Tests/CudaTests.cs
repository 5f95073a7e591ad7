using Cxdi.Conformance;
using Cxdi.Plugins.Gpu.Backends;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>The backend conformance checks on <c>cxdi.cuda</c>; each skips with the reason where there is no usable GPU.</summary>
public sealed class CudaConformanceTests
{
    public static TheoryData<int[]> Shapes => BackendConformance.Shapes;

    [CudaTheory]
    [MemberData(nameof(Shapes))]
    public void CorePrimitives_MatchTheReference(int[] dims)
    {
        using var backend = Create();
        BackendChecks.CorePrimitives(backend, Shape.FromDimensions(dims));
    }

    [CudaTheory]
    [MemberData(nameof(Shapes))]
    public void FusedKernels_MatchTheManagedKernels(int[] dims)
    {
        using var backend = Create();
        BackendChecks.FusedKernels(backend, Shape.FromDimensions(dims));
        Assert.Empty(((IlgpuBackend)backend).FallbackRules);
    }

    [CudaTheory]
    [MemberData(nameof(Shapes))]
    public void Fft_MatchesADirectDft_AndRoundTrips(int[] dims)
    {
        using var backend = Create();
        BackendChecks.Fft(backend, Shape.FromDimensions(dims));
    }

    [CudaFact]
    public void HioShrinkWrapRun_MatchesTheManagedCpuBackend() =>
        BackendChecks.Reconstruction(Create, () => new ManagedCpuBackendProvider().Create(new CpuBackendOptions { Threads = 1 }));

    [CudaFact]
    public void AllocationLargerThanTheDevice_IsRefusedBeforeAllocating()
    {
        using var backend = Create();
        var side = (int)Math.Ceiling(Math.Cbrt((backend.AvailableMemory / 8.0) + 1)) + 1;
        var e = Assert.Throws<InsufficientMemoryForRunException>(() => backend.AllocateComplex(Shape.Of(side, side, side)));
        Assert.Contains("cuda", e.Message, StringComparison.Ordinal);
    }

    private static IComputeBackend Create() => new CudaBackendProvider().Create(new CudaBackendOptions());
}

/// <summary>Where there is no GPU, cxdi.cuda says why and refuses to be created with that reason.</summary>
public sealed class CudaAvailabilityTests
{
    [Fact]
    public void Availability_AgreesWithCreate_AndGivesAReasonWhenUnavailable()
    {
        var provider = new CudaBackendProvider();
        if (provider.IsAvailable(out var reason))
        {
            Assert.Equal("", reason);
            using var backend = provider.Create(new CudaBackendOptions());
            Assert.Equal("cuda", backend.Name);
            return;
        }

        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.DoesNotContain('\n', reason);
        var e = Assert.Throws<GpuUnavailableException>(() => provider.Create(new CudaBackendOptions()));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.True(e.IsInputError);
    }

    [Fact]
    public void IlgpuCpu_IsAlwaysAvailable_AndNeverPreferred()
    {
        var provider = new IlgpuCpuBackendProvider();
        Assert.True(provider.IsAvailable(out _));
        Assert.True(provider.Priority < new ManagedCpuBackendProvider().Priority);
        Assert.True(new CudaBackendProvider().Priority > new CpuBackendProvider().Priority);
    }
}
