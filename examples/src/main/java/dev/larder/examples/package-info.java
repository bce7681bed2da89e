/** The demo of the main job: a slow endpoint cached through Larder (get it; if absent, compute it and keep it). */
package dev.larder.examples;
