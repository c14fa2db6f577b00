/** JavaCPP bindings of the native kernel library and the checked facade over them; knows nothing about BERT. */
package dev.exprbert.kernels;
