namespace Galaxy.Kernels.Parallel;

/// <summary>Rows <c>[RowStart, RowStart + RowCount)</c> of the whole sequence, all inside chunk <see cref="Chunk"/>.</summary>
internal readonly record struct RowRange(int Chunk, int RowStart, int RowCount);
