"""HTTP JSON edge: parses requests, calls domain actions, shapes responses. No business logic."""
