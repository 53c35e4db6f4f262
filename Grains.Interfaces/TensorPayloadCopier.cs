using Orleans.Serialization.Cloning;

namespace Galaxy.Grains;

/// <summary>A <see cref="TensorPayload"/> never changes, so a copy is the same instance.</summary>
[RegisterCopier]
public sealed class TensorPayloadCopier : IDeepCopier<TensorPayload>
{
    public TensorPayload? DeepCopy(TensorPayload? input, CopyContext context) => input;
}
