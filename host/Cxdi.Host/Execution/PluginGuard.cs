using System.Reflection;
using Cxdi.Sdk.Errors;

namespace Cxdi.Host.Execution;

/// <summary>Wraps every call into a plugin: cancellation and <see cref="CxdiException"/> pass through, anything else becomes a <see cref="PluginFaultException"/> naming the plugin.</summary>
public static class PluginGuard
{
    /// <summary>Calls <paramref name="call"/> on behalf of plugin <paramref name="pluginId"/>.</summary>
    public static T Call<T>(string pluginId, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (Unwrap(e) is var inner && inner is not OperationCanceledException && inner is not CxdiException)
        {
            throw new PluginFaultException(pluginId, inner.Message, inner);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    /// <summary>Calls <paramref name="call"/> on behalf of plugin <paramref name="pluginId"/>.</summary>
    public static void Call(string pluginId, Action call) => Call(pluginId, () =>
    {
        call();
        return 0;
    });

    private static Exception Unwrap(Exception e) => e switch
    {
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        _ => e,
    };
}
