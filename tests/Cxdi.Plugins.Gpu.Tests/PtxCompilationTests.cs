using System.Reflection;
using Cxdi.Plugins.Gpu.Kernels;
using Cxdi.Plugins.Phasing.Operators;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>Every GPU kernel compiles to PTX for sm_80 (A100) and sm_90 (H100) without a GPU.</summary>
public sealed class PtxCompilationTests
{
    /// <summary>Every kernel: the non-generic ones and the generic update kernel closed over each built-in rule.</summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var name in AllKernels().Select(k => k.Name))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_CompilesToPtx_ForSm80AndSm90(string name)
    {
        var method = AllKernels().Single(k => k.Name == name).Method;
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        foreach (var (architecture, isa) in new[] { (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_83) })
        {
            using var backend = new PTXBackend(context, architecture, isa, null!);
            var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);
            Assert.Contains(".entry", compiled.PTXAssembly, StringComparison.Ordinal);
            Assert.Contains(".target sm_", compiled.PTXAssembly, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ProjectionKernel_UsesCorrectlyRoundedSquareRoot_AndDoubleAtomics()
    {
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_83, null!);
        var method = typeof(GpuKernels).GetMethod(nameof(GpuKernels.ProjectModulus))!;
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty)).PTXAssembly;

        // Parity with the CPU needs an exactly rounded sqrt, and the metrics are summed in double on the device.
        Assert.Contains("sqrt.rn.f32", ptx, StringComparison.Ordinal);
        Assert.Contains("add.global.f64", ptx, StringComparison.Ordinal); // red.add.global.f64: a native double atomic (sm_60+)
    }

    private static IEnumerable<(string Name, MethodInfo Method)> AllKernels()
    {
        foreach (var m in typeof(GpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Index1D)))
        {
            if (!m.IsGenericMethodDefinition)
            {
                yield return (m.Name, m);
                continue;
            }

            foreach (var rule in new[] { typeof(ErRule), typeof(HioRule), typeof(RaarRule), typeof(DmRule), typeof(CfRule) })
            {
                yield return ($"{m.Name}<{rule.Name}>", m.MakeGenericMethod(rule));
            }
        }
    }
}
