namespace Galaxy.Grains.Planning;

/// <summary>No set of the devices can hold the model: the message states the memory needed against the memory available.</summary>
public sealed class PlanDoesNotFitException : InvalidOperationException
{
    public PlanDoesNotFitException()
    {
    }

    public PlanDoesNotFitException(string message)
        : base(message)
    {
    }

    public PlanDoesNotFitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Bytes the model needs across the devices (layer weights, plus every device's own tables, activations and runtime).</summary>
    public long NeededBytes { get; init; }

    /// <summary>Bytes the devices' budgets add up to.</summary>
    public long AvailableBytes { get; init; }
}
