namespace Atelier.Training.Networks;

/// <summary>Which GAN family to build: the classic DCGAN or the modern normalization-free ResNet (R3GAN-style).</summary>
public enum ModelKind { Dcgan, Modern }
