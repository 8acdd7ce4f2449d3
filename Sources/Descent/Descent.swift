// `import Descent` brings in everything a training program needs, and nothing that needs cairo,
// Open MPI or the command line's dependencies: figures are the `DescentPlot` product and
// distributed training the `DescentDistributed` product.

@_exported import DescentData
@_exported import DescentNN
@_exported import DescentOptim
@_exported import DescentTensor
@_exported import DescentTraining
